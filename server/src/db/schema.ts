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
}

export interface ShopperSessionsTable {
  /** sha256 of the cookie token: a leaked database does not hand out live sessions. */
  id_hash: string;
  created_at: string;
  last_seen_at: string;
}

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
}

export interface MessageFeedbackTable {
  message_id: string;
  conversation_id: string;
  rating: string;
  comment: string | null;
  created_at: string;
  updated_at: string;
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

export interface DB {
  products: ProductsTable;
  shopper_sessions: ShopperSessionsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  search_log: SearchLogTable;
  message_feedback: MessageFeedbackTable;
}
