import type { ColumnType } from 'kysely';
import type { Generated } from 'kysely';

/** Table types for Kysely. Column names are snake_case as stored; repositories map them to camelCase. */
export interface ProductsTable {
  id: string;
  title: string;
  description: string;
  link: string | null;
  image_link: string | null;
  price_minor: number;
  currency: string;
  sale_price_minor: number | null;
  availability: string;
  brand: string | null;
  gtin: string | null;
  mpn: string | null;
  condition: string | null;
  product_type: string | null;
  category: string | null;
  google_product_category: string | null;
  item_group_id: string | null;
  color: string | null;
  size: string | null;
  gender: string | null;
  age_group: string | null;
  material: string | null;
  rating: number | null;
  review_count: number;
  stock_quantity: number | null;
  updated_at: string;
  /** The catalogue source the product came from: `demo`, `import` (CLI file imports) or a feed's name. */
  source: string;
  /** When a full feed sync stopped listing it; null = live. Gone products are never searched or shown new. */
  gone_at: string | null;
  /** JSON string[]: the shop's tags (Shopify Tags), indexed for search. */
  keywords: string | null;
  /** JSON Record<string, string>: variant options other than size, colour and material. */
  attributes: string | null;
}

/** Where products come from: the demo, CLI file imports, or a configured feed. */
export interface CatalogueSourcesTable {
  name: string;
  kind: string;
  created_at: string;
  last_sync_at: string | null;
  last_status: string | null;
  etag: string | null;
  last_modified: string | null;
  running_since: string | null;
}

/** One sync or import of a source and what it did. */
export interface CatalogueSyncsTable {
  id: Generated<number>;
  source: string;
  started_at: string;
  finished_at: string | null;
  /** running | ok | unchanged | failed | refused */
  status: string;
  added: number;
  updated: number;
  gone: number;
  skipped: number;
  /** JSON SkipReasons (bounded). */
  skip_reasons: string | null;
  error: string | null;
}

/** Rows a sync has read, before they are applied all at once. */
export type CatalogueStagingTable = Omit<ProductsTable, 'updated_at' | 'gone_at'>;

export interface ShopperSessionsTable {
  /** sha256 of the cookie token: a leaked database does not hand out live sessions. */
  id_hash: string;
  created_at: string;
  last_seen_at: string;
}

/** A column added later: rows are created without it. */
type OptionalOnInsert<T> = ColumnType<T, T | undefined, T>;

export interface ConversationsTable {
  id: string;
  session_hash: string;
  title: string;
  status: string;
  model: string;
  created_at: string;
  updated_at: string;
  /** Agent id while a person has taken the conversation over. */
  taken_over_by: string | null;
  taken_over_name: string | null;
  /** Experiment name and arm (`control` or `candidate`) when the conversation is in one. */
  experiment: string | null;
  arm: string | null;
  /** An email the shopper left for a person to reply to while no agent was online (0010). */
  contact_email: OptionalOnInsert<string | null>;
  contact_note: OptionalOnInsert<string | null>;
  contact_left_at: OptionalOnInsert<string | null>;
  /** Page context from the embedded widget: the product being viewed, the page, when (0011). */
  context_product_id: string | null;
  context_url: string | null;
  context_at: string | null;
  /** The shopper deleted it from their history (0015): hidden from them, still shown to agents. */
  hidden_by_shopper_at: OptionalOnInsert<string | null>;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  seq: number;
  role: string;
  content: string;
  status: string;
  client_message_id: string | null;
  model: string | null;
  config_version: string | null;
  thinking: string | null;
  /** JSON: ToolTrace[] (name, arguments, returned products with price/stock at that moment). */
  tool_calls: string | null;
  /** JSON: ProductCard[] as shown to the shopper (built from the database at answer time). */
  products: string | null;
  error_code: string | null;
  error_message: string | null;
  error_hint: string | null;
  done_reason: string | null;
  first_token_ms: number | null;
  total_ms: number | null;
  prompt_eval_count: number | null;
  eval_count: number | null;
  load_duration_ns: number | null;
  prompt_eval_duration_ns: number | null;
  eval_duration_ns: number | null;
  total_duration_ns: number | null;
  created_at: string;
  completed_at: string | null;
  /** Set when a retry replaced this answer: the shopper sees the new one, agents see both. */
  replaced_by: string | null;
  /** For `agent` messages: who wrote it. */
  author_id: string | null;
  author_name: string | null;
  /** JSON: GroundingMismatch[] found by the grounding check after the answer. */
  grounding: string | null;
  /** JSON: which host served the answer, whether it was a fallback and which hosts were skipped. */
  served_by: string | null;
  /** Regenerated answers to one shopper message share the first one's id (0015); see `replaced_by`. */
  alternative_group: OptionalOnInsert<string | null>;
  /** JSON: Suggestion[] offered under the answer, checked against the catalogue (0016). */
  suggestions: string | null;
  /** JSON: Comparison shown with the answer when the shopper asked to compare (0016). */
  comparison: string | null;
  /** JSON: ShopperConstraints the answer used (migration 0014), edited by the shopper's chips; answers only. */
  constraints: string | null;
}

export interface MessageFeedbackTable {
  message_id: string;
  conversation_id: string;
  rating: string;
  comment: string | null;
  created_at: string;
  updated_at: string;
}

/** A shopper's click on a card of an answer: "View product" or "Add to cart" (0012). */
export interface CardClicksTable {
  id: Generated<number>;
  message_id: string;
  conversation_id: string;
  product_id: string;
  /** 'view' | 'cart' */
  kind: string;
  created_at: string;
}

export interface SearchLogTable {
  id: Generated<number>;
  conversation_id: string | null;
  source: string;
  query: string;
  filters: string;
  result_count: number;
  created_at: string;
}

/** A person who works in the agent console. */
export interface AgentsTable {
  id: string;
  /** Stored lower-case: sign-in and uniqueness ignore case. */
  email: string;
  name: string;
  role: string;
  /** Argon2id PHC string. */
  password_hash: string;
  /** 0 or 1. */
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface AgentSessionsTable {
  /** sha256 of the cookie token, as for shopper sessions. */
  id_hash: string;
  agent_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface TranscriptNotesTable {
  id: string;
  conversation_id: string;
  agent_id: string;
  agent_name: string;
  body: string;
  created_at: string;
}

export interface TranscriptLabelsTable {
  conversation_id: string;
  label: string;
  agent_id: string;
  created_at: string;
}

export interface TranscriptFlagsTable {
  conversation_id: string;
  agent_id: string;
  created_at: string;
}

/** Audit: an agent saw the unmasked text of a message. */
export interface MessageRevealsTable {
  id: Generated<number>;
  message_id: string;
  conversation_id: string;
  agent_id: string;
  agent_email: string;
  revealed_at: string;
  /** What was shown: a masked message, or the contact email the shopper left (0013). */
  revealed: ColumnType<RevealSubject, RevealSubject | undefined, RevealSubject>;
}

/** What one reveal showed an agent. */
export type RevealSubject = 'message' | 'contact-email';

/** One row: bumped by every product import, so other processes' caches notice (0006). */
export interface CatalogueVersionTable {
  id: number;
  version: number;
}

export interface DB {
  products: ProductsTable;
  catalogue_sources: CatalogueSourcesTable;
  catalogue_syncs: CatalogueSyncsTable;
  catalogue_staging: CatalogueStagingTable;
  shopper_sessions: ShopperSessionsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  search_log: SearchLogTable;
  message_feedback: MessageFeedbackTable;
  card_clicks: CardClicksTable;
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  transcript_notes: TranscriptNotesTable;
  transcript_labels: TranscriptLabelsTable;
  transcript_flags: TranscriptFlagsTable;
  message_reveals: MessageRevealsTable;
  catalogue_version: CatalogueVersionTable;
}
