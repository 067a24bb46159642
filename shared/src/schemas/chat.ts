import { z } from 'zod';
import { comparisonSchema, suggestionSchema } from './compare';
import { shopperConstraintsSchema } from './constraints';
import { productCardSchema } from './product';

/** Hard cap on one shopper message, checked on both sides before anything reaches the model. */
export const MAX_MESSAGE_CHARS = 4000;

export const messageRoleSchema = z.enum(['user', 'assistant', 'agent', 'system']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/** `streaming` exists only while an answer is generating; a crash turns it into `error` at boot. */
export const messageStatusSchema = z.enum(['streaming', 'complete', 'stopped', 'error']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/**
 * The languages the shopper UI ships (BCP 47, the value of `<html lang>`). The client sends the one in
 * use with each message, so the server can tell the model which language to answer in.
 */
export const SHOPPER_LOCALES = ['en', 'de', 'es', 'zh-CN'] as const;
export const shopperLocaleSchema = z.enum(SHOPPER_LOCALES);
export type ShopperLocale = z.infer<typeof shopperLocaleSchema>;

export const ids = {
  conversation: z.string().min(1).max(64),
  message: z.string().min(1).max(64),
};

/** A message as the shopper's UI sees it, without its alternatives (see `chatMessageSchema`). */
export const chatMessageBaseSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  role: messageRoleSchema,
  content: z.string(),
  status: messageStatusSchema,
  createdAt: z.string(),
  products: z.array(productCardSchema),
  error: z
    .object({ code: z.string(), message: z.string(), hint: z.string().optional(), developer: z.string().optional() })
    .nullable(),
  /** The shopper's own thumbs up/down on an answer. */
  feedback: z
    .object({ rating: z.enum(['up', 'down']), comment: z.string().nullable() })
    .nullable()
    .optional(),
  /** Corrections from the grounding check (code, not the model), shown under the answer. */
  corrections: z.array(z.string()).optional(),
  /** Display name of the person who wrote an `agent` message. */
  authorName: z.string().nullable().optional(),
  /** Next steps offered under the answer, from facets of its results (checked against the catalogue). */
  suggestions: z.array(suggestionSchema).optional(),
  /** The products the shopper asked to compare, side by side, from the database. */
  comparison: comparisonSchema.optional(),
  /** What the answer understood the shopper to want (shown as chips they can edit); answers only. */
  constraints: shopperConstraintsSchema.optional(),
});

/** A message as the shopper's UI sees it. Thinking text and the tool trace stay on the server. */
export const chatMessageSchema = chatMessageBaseSchema.extend({
  /**
   * Earlier answers to the same shopper message, oldest first, that a regenerate replaced (issue 11):
   * the shopper pages through them; this message is the latest, the one the conversation continues from.
   */
  alternatives: z.array(chatMessageBaseSchema).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/**
 * Phases of an answer before and while text arrives, shown to the shopper. `queued`: waiting for a free
 * place at the model host, with the place in line in `position`.
 */
export const answerPhaseSchema = z.enum(['queued', 'waiting', 'loading-model', 'searching', 'writing', 'retrying']);
export type AnswerPhase = z.infer<typeof answerPhaseSchema>;

/** The live part of an answer being generated, sent on resume so a reload continues mid-answer. */
export const liveAnswerSchema = z.object({
  messageId: z.string(),
  content: z.string(),
  phase: answerPhaseSchema,
  detail: z.string().optional(),
  /** 1-based place in line while `phase` is `queued`, so a reload shows it too. */
  position: z.number().int().min(1).optional(),
});
export type LiveAnswer = z.infer<typeof liveAnswerSchema>;

export const conversationSnapshotSchema = z.object({
  conversationId: z.string(),
  messages: z.array(chatMessageSchema),
  live: liveAnswerSchema.nullable(),
  /** Who answers: the assistant, nobody yet (waiting for a person), or a person. */
  handoff: z.object({ state: z.enum(['assistant', 'waiting', 'agent']), agentName: z.string().nullable() }).optional(),
});
export type ConversationSnapshot = z.infer<typeof conversationSnapshotSchema>;

// ---- Payloads the client sends ----

export const chatSendSchema = z
  .object({
    /** Omit to start a new conversation. */
    conversationId: ids.conversation.optional(),
    /** Chosen by the client so a resend after a network drop is not stored twice. */
    clientMessageId: z.string().min(8).max(64),
    text: z.string(),
    /** The shopper UI's language; the answer is written in it. Omitted: the model follows the question's language. */
    locale: shopperLocaleSchema.optional(),
  })
  .strict();
export type ChatSendPayload = z.infer<typeof chatSendSchema>;

export const chatStopSchema = z.object({ conversationId: ids.conversation }).strict();
export type ChatStopPayload = z.infer<typeof chatStopSchema>;

export const chatRetrySchema = z
  .object({ conversationId: ids.conversation, messageId: ids.message, locale: shopperLocaleSchema.optional() })
  .strict();
export type ChatRetryPayload = z.infer<typeof chatRetrySchema>;

/** The shopper leaves an email for a person to reply to (offered when no agent is online). */
export const chatLeaveEmailSchema = z
  .object({
    conversationId: ids.conversation,
    email: z.email().max(254),
    note: z.string().trim().max(1000).optional(),
  })
  .strict();
export type ChatLeaveEmailPayload = z.infer<typeof chatLeaveEmailSchema>;

/** Whether a person could join now: "Talk to a person" is offered only then, else "Leave your email". */
export interface ChatPresenceEvent {
  agentsOnline: boolean;
}

/**
 * Edit and resend the shopper's last message (`chat:edit`): the earlier message and its answers are
 * hidden from the shopper (agents still see them), the new text is stored and answered like a send.
 */
export const chatEditSchema = z
  .object({
    conversationId: ids.conversation,
    /** The shopper message being edited: it must be their last one still shown. */
    messageId: ids.message,
    clientMessageId: z.string().min(8).max(64),
    text: z.string(),
  })
  .strict();
export type ChatEditPayload = z.infer<typeof chatEditSchema>;

export const chatResumeSchema = z.object({ conversationId: ids.conversation }).strict();
export type ChatResumePayload = z.infer<typeof chatResumeSchema>;

// ---- Payloads the server sends ----

export const chatSendReplySchema = z.object({
  conversationId: z.string(),
  userMessage: chatMessageSchema,
  assistantMessageId: z.string(),
});
export type ChatSendReply = z.infer<typeof chatSendReplySchema>;

export const chatFeedbackSchema = z
  .object({
    conversationId: ids.conversation,
    messageId: ids.message,
    rating: z.enum(['up', 'down']).nullable(),
    comment: z.string().trim().max(1000).optional(),
  })
  .strict();
export type ChatFeedbackPayload = z.infer<typeof chatFeedbackSchema>;

/** A shopper followed a card's "View product" or "Add to cart" (`chat:card-click`), for the dashboard. */
export const chatCardClickSchema = z
  .object({
    conversationId: ids.conversation,
    messageId: ids.message,
    productId: z.string().min(1).max(200),
    kind: z.enum(['view', 'cart']),
  })
  .strict();
export type ChatCardClickPayload = z.infer<typeof chatCardClickSchema>;

export const handoffStateSchema = z.enum(['waiting', 'agent-joined', 'agent-left']);
export type HandoffState = z.infer<typeof handoffStateSchema>;

export interface ChatHandoffEvent {
  conversationId: string;
  state: HandoffState;
  agentName?: string;
}

export interface ChatStartedEvent {
  conversationId: string;
  messageId: string;
  model: string;
}
export interface ChatStatusEvent {
  conversationId: string;
  messageId: string;
  phase: AnswerPhase;
  detail?: string;
  /** 1-based place in line while `phase` is `queued` (1 = next). */
  position?: number;
}
/**
 * Text appended to an answer. `offset` is the length of the answer before this text, so a client that
 * missed a delta sees a gap and asks for a resume instead of showing garbled text.
 */
export interface ChatDeltaEvent {
  conversationId: string;
  messageId: string;
  offset: number;
  text: string;
}
export interface ChatCompletedEvent {
  conversationId: string;
  message: ChatMessage;
}
export interface ChatFailedEvent {
  conversationId: string;
  message: ChatMessage;
}

/** One conversation in the shopper's history, as `GET /api/session` lists it. */
export const conversationSummarySchema = z.object({ id: z.string(), title: z.string(), updatedAt: z.string() });
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

/** What `GET /api/session` returns once the session cookie is set. */
export const sessionInfoSchema = z.object({ conversations: z.array(conversationSummarySchema) });
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** One conversation in the shopper's History list (`GET /api/conversations`). */
export const historyEntrySchema = z.object({
  id: z.string(),
  /** The first shopper message, trimmed. */
  title: z.string(),
  /** Last activity. */
  updatedAt: z.string(),
  /** Messages the shopper sees in it (their own, answers, a person's replies). */
  messageCount: z.number().int().min(0),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** One page of the shopper's History, newest first; `nextCursor` fetches the next page (`?before=`). */
export const historyPageSchema = z.object({ conversations: z.array(historyEntrySchema), nextCursor: z.string().nullable() });
export type HistoryPage = z.infer<typeof historyPageSchema>;

/** Query of `GET /api/conversations`. */
export const historyQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(50).default(20),
    before: z.string().min(1).max(200).optional(),
  })
  .strict();
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** What `POST /api/session/token` returns: a session for the embedded widget, kept by the widget itself. */
export const sessionTokenSchema = z.object({ token: z.string().min(32).max(64) });
export type SessionToken = z.infer<typeof sessionTokenSchema>;

/**
 * What the shopper is looking at on the shop's page, sent by the embedded widget (`chat:context`).
 * Both parts are optional; the server keeps only a product that exists and a URL on an allowed origin.
 * Without a conversation id it is kept for the connection and stored with the next message sent.
 */
export const chatContextSchema = z
  .object({
    conversationId: ids.conversation.optional(),
    productId: z.string().trim().min(1).max(200).nullable().optional(),
    url: z.string().max(2000).nullable().optional(),
  })
  .strict();
export type ChatContextPayload = z.infer<typeof chatContextSchema>;

/** The page context as the server kept it (the `chat:context` reply). */
export const pageContextSchema = z.object({ productId: z.string().nullable(), url: z.string().nullable() });
export type PageContext = z.infer<typeof pageContextSchema>;
