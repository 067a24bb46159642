import type { ChatBrain, ChatContext, ScriptedChatSpec } from './script';
import { text, thoughts } from './script';
import type { ChatRequestBody } from './wire';

/** The tool name the demo brain knows how to call. */
export const SEARCH_TOOL_NAME = 'search_products';

/** Exact reply when a catalogue search found nothing. */
export const NO_RESULTS_REPLY =
  "I couldn't find anything matching that in the catalogue. Could you tell me more about what you need?";

/** Opening line of a recommendation. */
export const RECOMMENDATION_INTRO = 'Here are a few options from the catalogue:';

const MAX_QUERY_CHARS = 100;
const MAX_RECOMMENDATIONS = 3;

/** A product as the demo brain understood it from a tool result. */
export interface FoundProduct {
  id: string;
  title: string;
  price?: string;
  rating?: number;
}

/**
 * The default responder: behaves like a small shopping model so the UI can be tried without a GPU.
 *
 * 1. With a `search_products` tool and no tool result yet for the last user turn: call the tool with
 *    the user's text as `query` (plus `max_price` for "under $N" / "below N" / "less than N").
 * 2. With a tool result after the last user turn: recommend up to 3 products as
 *    `[Title](product:ID) — price, rated R.`, or say nothing matched.
 * 3. Otherwise: a short sentence echoing the question.
 *
 * Output is deterministic (only tool-call ids are random), so tests can assert on it.
 */
export const demoBrain: ChatBrain = (request: ChatRequestBody, context: ChatContext): ScriptedChatSpec => {
  const messages = request.messages ?? [];
  const lastUserIndex = messages.findLastIndex((message) => message.role === 'user');
  const userText = collapse(lastUserIndex >= 0 ? (messages[lastUserIndex]?.content ?? '') : '');
  const toolResults = messages.slice(lastUserIndex + 1).filter((message) => message.role === 'tool');
  const hasSearchTool = (request.tools ?? []).some((tool) => tool.function.name === SEARCH_TOOL_NAME);

  if (toolResults.length > 0) {
    const products = dedupe(toolResults.flatMap((message) => productsFromToolResult(message.content)));
    return withThinking(
      context,
      products.length > 0
        ? `The catalogue search returned ${products.length} products. I'll recommend the best matches.`
        : "The catalogue search returned nothing. I'll ask the shopper for more detail.",
      { chunks: text(recommend(products)) },
    );
  }

  if (hasSearchTool && userText) {
    const query = truncateAtWord(userText, MAX_QUERY_CHARS);
    const maxPrice = extractMaxPrice(userText);
    const args: Record<string, unknown> = { query };
    if (maxPrice !== undefined) args.max_price = maxPrice;
    return withThinking(context, `The shopper wants "${query}". I'll search the catalogue.`, {
      toolCalls: [{ name: SEARCH_TOOL_NAME, arguments: args }],
    });
  }

  const reply = userText
    ? `Thanks for asking about "${echoWords(userText)}". Tell me what you are looking for, and I will check the catalogue for you.`
    : 'Hello! What are you looking for today?';
  return withThinking(context, "A general question. I'll answer briefly.", { chunks: text(reply) });
};

/** Builds the Markdown recommendation for the products found (or the no-results sentence). */
export function recommend(products: FoundProduct[]): string {
  if (products.length === 0) return NO_RESULTS_REPLY;
  const lines = products.slice(0, MAX_RECOMMENDATIONS).map((product) => {
    const facts = [product.price, product.rating !== undefined ? `rated ${product.rating}` : undefined].filter(Boolean);
    const title = product.title.replace(/([[\]])/g, '\\$1');
    return `- [${title}](product:${product.id})${facts.length > 0 ? ` — ${facts.join(', ')}` : ''}.`;
  });
  return `${RECOMMENDATION_INTRO}\n\n${lines.join('\n')}\n\nWould you like more details on any of these?`;
}

/**
 * Finds the first array of objects that carry `id` and `title` anywhere in a tool result, so the
 * brain keeps working whatever envelope the server wraps its results in.
 */
export function productsFromToolResult(content: string): FoundProduct[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [];
  }
  const array = findProductArray(parsed);
  if (!array) return [];
  return array.flatMap((item) => {
    if (!isRecord(item)) return [];
    const id = item.id;
    const title = item.title;
    if ((typeof id !== 'string' && typeof id !== 'number') || typeof title !== 'string') return [];
    const product: FoundProduct = { id: String(id), title };
    // A product on sale is quoted at the price the shopper pays.
    const price = formatPrice(item.sale_price ?? item.price, item.currency);
    if (price) product.price = price;
    if (typeof item.rating === 'number') product.rating = item.rating;
    return [product];
  });
}

function findProductArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) {
    if (value.some((item) => isRecord(item) && 'id' in item && 'title' in item)) return value;
    for (const item of value) {
      const found = findProductArray(item);
      if (found) return found;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const child of Object.values(value)) {
      const found = findProductArray(child);
      if (found) return found;
    }
  }
  return undefined;
}

function formatPrice(price: unknown, currency: unknown): string | undefined {
  if (typeof price === 'string' && price.trim()) return price.trim();
  if (typeof price === 'number') return `${price.toFixed(2)}${typeof currency === 'string' ? ` ${currency}` : ''}`;
  if (isRecord(price) && typeof price.currency === 'string') {
    if (typeof price.amountMinor === 'number') return `${(price.amountMinor / 100).toFixed(2)} ${price.currency}`;
    if (typeof price.amount === 'number') return `${price.amount.toFixed(2)} ${price.currency}`;
    if (typeof price.amount === 'string') return `${price.amount} ${price.currency}`;
  }
  return undefined;
}

/** "under $120", "below 80", "less than 99.50" → the number. */
export function extractMaxPrice(value: string): number | undefined {
  const match = /\b(?:under|below|less than|cheaper than)\s*(?:[$€£]\s*)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)/i.exec(value);
  if (!match?.[1]) return undefined;
  const amount = Number(match[1].replace(/,/g, ''));
  return Number.isFinite(amount) ? amount : undefined;
}

function withThinking(context: ChatContext, thought: string, spec: ScriptedChatSpec): ScriptedChatSpec {
  if (!context.isThinking) return spec;
  return { ...spec, chunks: [...thoughts(thought), ...(spec.chunks ?? [])] };
}

function dedupe(products: FoundProduct[]): FoundProduct[] {
  const seen = new Set<string>();
  return products.filter((product) => !seen.has(product.id) && seen.add(product.id));
}

function truncateAtWord(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  const lastSpace = cut.lastIndexOf(' ');
  return (lastSpace > max / 2 ? cut.slice(0, lastSpace) : cut).trim();
}

function echoWords(value: string): string {
  const words = value.replace(/[?!.]+$/, '').split(' ');
  return words.length > 8 ? `${words.slice(0, 8).join(' ')}…` : words.join(' ');
}

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
