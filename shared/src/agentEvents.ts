import type { Ack } from './events';
import type { ConversationMessageEvent, TranscriptDetail, TranscriptUpdatedEvent } from './schemas/agent';
import type { ChatDeltaEvent } from './schemas/chat';

/** Events an agent's console sends on the `/agent` namespace (authenticated by the agent session cookie). */
export interface AgentClientEvents {
  /** Watch one conversation live; acks its transcript. */
  'agent:watch': (payload: { conversationId: string }, ack: Ack<TranscriptDetail>) => void;
  'agent:unwatch': (payload: { conversationId: string }, ack: Ack<null>) => void;
  /** Take the conversation over: the assistant stops answering there. */
  'agent:takeover': (payload: { conversationId: string }, ack: Ack<null>) => void;
  /** Give the conversation back to the assistant. */
  'agent:handback': (payload: { conversationId: string }, ack: Ack<null>) => void;
  /** Reply to the shopper as a person (only while taken over by this agent). */
  'agent:send': (payload: { conversationId: string; text: string }, ack: Ack<{ messageId: string }>) => void;
}

/** Events the server sends to agents. */
export interface AgentServerEvents {
  /** Something changed in a conversation (new message, status): refresh the list row. */
  'transcripts:updated': (event: TranscriptUpdatedEvent) => void;
  /** A committed message in a watched conversation. */
  'conversation:message': (event: ConversationMessageEvent) => void;
  /** Live assistant text in a watched conversation. */
  'conversation:delta': (event: ChatDeltaEvent) => void;
  /** The agent's session ended (signed out or disabled). */
  'session:ended': (event: { reason: string }) => void;
}
