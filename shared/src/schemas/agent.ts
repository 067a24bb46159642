import { z } from 'zod';
import { chatMessageSchema } from './chat';

/** Roles in the agent console: admins also manage agents. */
export const agentRoleSchema = z.enum(['agent', 'admin']);
export type AgentRole = z.infer<typeof agentRoleSchema>;

export const agentSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: agentRoleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type Agent = z.infer<typeof agentSchema>;

export const loginSchema = z.object({ email: z.email().max(254), password: z.string().min(1).max(1024) });
export const createAgentSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(100),
  role: agentRoleSchema,
  password: z.string().min(12, 'at least 12 characters').max(1024),
});
/** The name shoppers and colleagues see ("Ann joined the chat"): short enough for a chat line. */
export const agentDisplayNameSchema = z.string().trim().min(1, 'Enter a name.').max(60, 'At most 60 characters.');
export const updateAgentSchema = z.object({
  disabled: z.boolean().optional(),
  role: agentRoleSchema.optional(),
  name: agentDisplayNameSchema.optional(),
});

/** Conversation states an agent filters on. */
export const conversationStatusSchema = z.enum(['active', 'ended', 'waiting', 'taken_over']);
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

export const feedbackRatingSchema = z.enum(['up', 'down']);
export type FeedbackRating = z.infer<typeof feedbackRatingSchema>;

/** Labels agents use most; free text labels are allowed too. */
export const SUGGESTED_LABELS = ['invented product', 'wrong price', 'ignored budget', 'good answer'] as const;

export const transcriptFilterSchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  status: conversationStatusSchema.optional(),
  feedback: z.enum(['up', 'down', 'any', 'none']).optional(),
  flagged: z.enum(['true', 'false']).optional(),
  label: z.string().max(60).optional(),
  model: z.string().max(100).optional(),
  hadError: z.enum(['true', 'false']).optional(),
  /** Conversations with an answer the grounding check found a mismatch in. */
  hadMismatch: z.enum(['true', 'false']).optional(),
  /** Conversations where the shopper left an email for a reply (no agent was online). */
  awaitingEmail: z.enum(['true', 'false']).optional(),
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export type TranscriptFilter = z.infer<typeof transcriptFilterSchema>;

export const transcriptRowSchema = z.object({
  id: z.string(),
  firstMessage: z.string(),
  messageCount: z.number().int(),
  model: z.string(),
  status: conversationStatusSchema,
  lastActivity: z.string(),
  createdAt: z.string(),
  feedback: z.object({ up: z.number().int(), down: z.number().int() }),
  labels: z.array(z.string()),
  flagged: z.boolean(),
  hasError: z.boolean(),
  /** Text search hit with the match wrapped in <mark>…</mark> (the only markup; everything else escaped). */
  highlight: z.string().nullable(),
});
export type TranscriptRow = z.infer<typeof transcriptRowSchema>;

/** What one tool call did in an answer, as agents see it. */
export const traceToolCallSchema = z.object({
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  origin: z.enum(['model', 'prefetch']),
  error: z.string().nullable(),
  durationMs: z.number(),
  /** get_policy: the shop policy the answer read, with its text at that moment. */
  policy: z.object({ topic: z.string(), text: z.string() }).optional(),
  products: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      priceMinor: z.number(),
      salePriceMinor: z.number().nullable(),
      currency: z.string(),
      availability: z.string(),
      stock: z.number().nullable(),
    }),
  ),
});

export const answerTraceSchema = z.object({
  model: z.string().nullable(),
  configVersion: z.string().nullable(),
  firstTokenMs: z.number().nullable(),
  totalMs: z.number().nullable(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  doneReason: z.string().nullable(),
  toolCalls: z.array(traceToolCallSchema),
  /** Grounding-check findings (issue 4); empty when none. */
  mismatches: z.array(z.object({ kind: z.string(), text: z.string() })).default([]),
  /** Which host served the answer; `isFallback` when the preferred host could not. */
  servedBy: z.object({ hostName: z.string(), url: z.string(), isFallback: z.boolean() }).nullable().default(null),
});
export type AnswerTrace = z.infer<typeof answerTraceSchema>;

export const transcriptMessageSchema = chatMessageSchema.extend({
  /** Masked unless revealed; `isMasked` tells the UI to offer "Reveal". */
  isMasked: z.boolean(),
  agentName: z.string().nullable(),
  completedAt: z.string().nullable(),
  trace: answerTraceSchema.nullable(),
  feedback: z.object({ rating: feedbackRatingSchema, comment: z.string().nullable() }).nullable(),
  /**
   * Why the shopper no longer sees this message (issue 11): `regenerated` for an earlier alternative
   * answer, `edited` for a shopper message they edited and resent (and the answers it had).
   */
  hiddenBecause: z.enum(['regenerated', 'edited']).nullable().optional(),
  /** Answers regenerated for one shopper message share this id. */
  alternativeGroup: z.string().nullable().optional(),
});
export type TranscriptMessage = z.infer<typeof transcriptMessageSchema>;

export const transcriptDetailSchema = z.object({
  id: z.string(),
  status: conversationStatusSchema,
  model: z.string(),
  createdAt: z.string(),
  lastActivity: z.string(),
  flagged: z.boolean(),
  labels: z.array(z.string()),
  takenOverBy: z.string().nullable(),
  /** The email the shopper left for a reply while no agent was online, masked like all personal data. */
  contact: z.object({ email: z.string(), note: z.string().nullable(), leftAt: z.string() }).nullable().optional(),
  notes: z.array(z.object({ id: z.string(), body: z.string(), agentName: z.string(), createdAt: z.string() })),
  messages: z.array(transcriptMessageSchema),
  /** What the shopper was looking at on the shop's page when they last wrote (the embedded widget). */
  viewing: z.object({ productId: z.string().nullable(), url: z.string().nullable(), at: z.string() }).nullable().optional(),
  /** When the shopper deleted it from their history; retention still decides when it goes. */
  hiddenByShopperAt: z.string().nullable().optional(),
});
export type TranscriptDetail = z.infer<typeof transcriptDetailSchema>;

export const dashboardSchema = z.object({
  from: z.string(),
  to: z.string(),
  conversationsPerDay: z.array(z.object({ day: z.string(), count: z.number() })),
  answersPerModel: z.array(z.object({ model: z.string(), count: z.number() })),
  thumbsUpRatePerModel: z.array(z.object({ model: z.string(), up: z.number(), down: z.number(), rate: z.number().nullable() })),
  firstTokenMsPerModel: z.array(z.object({ model: z.string(), p50: z.number().nullable(), p95: z.number().nullable() })),
  errorRatePerDay: z.array(z.object({ day: z.string(), answers: z.number(), errors: z.number(), rate: z.number() })),
  zeroResultSearches: z.array(z.object({ query: z.string(), count: z.number() })),
  /**
   * Per model: answers that showed cards, and the shares of them where the shopper opened a product
   * page (>= 1 "View product" click) or pressed "Add to cart". Rates are null without such answers.
   */
  cardClicksPerModel: z
    .array(
      z.object({
        model: z.string(),
        answersWithCards: z.number(),
        productClickRate: z.number().nullable(),
        addToCartRate: z.number().nullable(),
      }),
    )
    .default([]),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

// ---- Agent socket namespace `/agent` ----
export const agentConversationSchema = z.object({ conversationId: z.string().min(1).max(64) });
export const agentSendSchema = z.object({ conversationId: z.string().min(1).max(64), text: z.string().trim().min(1).max(4000) });

/** A change worth refreshing the transcript list for. */
export interface TranscriptUpdatedEvent {
  conversationId: string;
  status: ConversationStatus;
  lastActivity: string;
}
export interface ConversationMessageEvent {
  conversationId: string;
  message: TranscriptMessage;
}

/** One arm of a model experiment, as compared in the dashboard and over HTTP. */
export const experimentArmSchema = z.object({
  arm: z.string(),
  model: z.string(),
  conversations: z.number(),
  answers: z.number(),
  thumbsUp: z.number(),
  thumbsDown: z.number(),
  thumbsUpRate: z.number().nullable(),
  firstTokenMsP50: z.number().nullable(),
  firstTokenMsP95: z.number().nullable(),
  tokensPerSecond: z.number().nullable(),
  errorRate: z.number().nullable(),
  answersWithMismatches: z.number(),
  mismatches: z.number(),
  /** Answers that showed product cards; the click rates below are over these. */
  answersWithCards: z.number(),
  /** Share of answers with cards where the shopper opened at least one product page. */
  productClickRate: z.number().nullable(),
  /** Share of answers with cards where the shopper pressed "Add to cart" at least once. */
  addToCartRate: z.number().nullable(),
});
export type ExperimentArm = z.infer<typeof experimentArmSchema>;

export const experimentsSchema = z.object({
  /** The experiment configured now, if any. */
  current: z.object({ name: z.string(), candidate: z.string(), share: z.number() }).nullable(),
  experiments: z.array(z.object({ name: z.string(), arms: z.array(experimentArmSchema) })),
});
export type Experiments = z.infer<typeof experimentsSchema>;

// ---- Replies of the console's HTTP API (`/api/agent/*`) ----

/** `GET /api/agent/agents`: every account (admins only). */
export const agentListReplySchema = z.object({ agents: z.array(agentSchema) });
export type AgentListReply = z.infer<typeof agentListReplySchema>;

/** `GET /api/agent/transcripts`: one page of the list. */
export const transcriptListReplySchema = z.object({
  transcripts: z.array(transcriptRowSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type TranscriptListReply = z.infer<typeof transcriptListReplySchema>;

/** A private note on a transcript, as `POST /api/agent/transcripts/:id/notes` returns it. */
export const transcriptNoteSchema = transcriptDetailSchema.shape.notes.element;
export type TranscriptNoteReply = z.infer<typeof transcriptNoteSchema>;

/** `POST`/`DELETE /api/agent/transcripts/:id/labels`: the transcript's labels now. */
export const transcriptLabelsReplySchema = z.object({ labels: z.array(z.string()) });
export type TranscriptLabelsReply = z.infer<typeof transcriptLabelsReplySchema>;

/** `POST /api/agent/transcripts/:id/flag`: whether the transcript is flagged now. */
export const transcriptFlagReplySchema = z.object({ flagged: z.boolean() });
export type TranscriptFlagReply = z.infer<typeof transcriptFlagReplySchema>;

/** `POST /api/agent/messages/:id/reveal`: one message unmasked. */
export const revealedMessageReplySchema = z.object({ messageId: z.string(), content: z.string() });
export type RevealedMessageReply = z.infer<typeof revealedMessageReplySchema>;

/** The unmasked contact a shopper left, as the audited reveal returns it. */
export const revealedContactReplySchema = z.object({
  conversationId: z.string(),
  email: z.string(),
  note: z.string().nullable(),
});
export type RevealedContactReply = z.infer<typeof revealedContactReplySchema>;
