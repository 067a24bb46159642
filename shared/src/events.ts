import type { Result } from './errors';
import type {
  ChatCompletedEvent,
  ChatDeltaEvent,
  ChatEditPayload,
  ChatContextPayload,
  ChatCardClickPayload,
  ChatFeedbackPayload,
  ChatHandoffEvent,
  ChatLeaveEmailPayload,
  ChatMessage,
  ChatPresenceEvent,
  ChatFailedEvent,
  ChatResumePayload,
  ChatRetryPayload,
  ChatSendPayload,
  ChatSendReply,
  ChatStartedEvent,
  ChatStatusEvent,
  ChatStopPayload,
  ConversationSnapshot,
  PageContext,
} from './schemas/chat';
import type { ChatRefinedEvent, ChatRefinePayload } from './schemas/refine';

/** Acknowledgement callback: every client event is answered with one Result. */
export type Ack<T> = (result: Result<T>) => void;

/**
 * Events the shopper's browser sends on the default namespace. Payloads are typed as `unknown` on the
 * server side of the wire, because every handler validates with the zod schema before use.
 */
export interface ShopperClientEvents {
  'chat:send': (payload: ChatSendPayload, ack: Ack<ChatSendReply>) => void;
  'chat:stop': (payload: ChatStopPayload, ack: Ack<{ messageId: string }>) => void;
  'chat:retry': (payload: ChatRetryPayload, ack: Ack<{ assistantMessageId: string }>) => void;
  /** Edit and resend the shopper's last message; acknowledged like `chat:send`. */
  'chat:edit': (payload: ChatEditPayload, ack: Ack<ChatSendReply>) => void;
  'chat:resume': (payload: ChatResumePayload, ack: Ack<ConversationSnapshot>) => void;
  /** Thumbs up/down (or null to clear) with an optional comment on one answer. */
  'chat:feedback': (payload: ChatFeedbackPayload, ack: Ack<null>) => void;
  /** A click on a card's "View product" or "Add to cart"; the page does not wait for the ack. */
  'chat:card-click': (payload: ChatCardClickPayload, ack: Ack<null>) => void;
  /** The shopper asks for a person; the conversation shows as waiting in the agent console. */
  'chat:request-human': (payload: ChatStopPayload, ack: Ack<null>) => void;
  /** No agent online: the shopper leaves an email for a reply; acks when to expect it. */
  'chat:leave-email': (payload: ChatLeaveEmailPayload, ack: Ack<{ replyText: string }>) => void;
  /** The embedded widget says what the shopper is looking at on the shop's page; the reply is what was kept. */
  'chat:context': (payload: ChatContextPayload, ack: Ack<PageContext>) => void;
  /** The shopper edited an answer's constraint chips; the reply is the answer with fresh cards. */
  'chat:refine': (payload: ChatRefinePayload, ack: Ack<ChatMessage>) => void;
}

/** Events the server sends to the shopper's browser. */
export interface ShopperServerEvents {
  'chat:started': (event: ChatStartedEvent) => void;
  'chat:status': (event: ChatStatusEvent) => void;
  'chat:delta': (event: ChatDeltaEvent) => void;
  'chat:completed': (event: ChatCompletedEvent) => void;
  'chat:failed': (event: ChatFailedEvent) => void;
  /** A message not produced by the assistant's stream: an agent's reply, or a notice. */
  'chat:message': (event: ChatCompletedEvent) => void;
  /** Hand-off state: waiting for a person, a person joined (with their name), the person left. */
  'chat:handoff': (event: ChatHandoffEvent) => void;
  /** Whether any agent is online: sent on connect and whenever it changes. */
  'chat:presence': (event: ChatPresenceEvent) => void;
  /** An answer's constraints were edited and its cards searched again (every tab of the conversation). */
  'chat:refined': (event: ChatRefinedEvent) => void;
}
