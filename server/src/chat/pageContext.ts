import { fail, ok, type ChatContextPayload, type PageContext, type Result } from '@aisle/shared';
import type { ToolRunner } from '../assistant/tools';
import type { ConversationRepository } from '../db/conversationRepository';
import type { PageContextRepository } from '../db/pageContextRepository';
import type { ProductRow } from '../db/productRepository';
import type { LlmMessage } from '../llm/types';

/**
 * The page context the embedded widget reports ("the shopper is looking at SKU-1 on /products/x").
 * It comes from the shop's page, which anyone can script, so it is treated as a hint: a product id is
 * kept only when the product exists, a URL only when it is http(s) on an origin in
 * `widget.allowedOrigins`, and the model sees the product as catalogue data, never as an instruction.
 */
export function createPageContextService(deps: {
  contexts: PageContextRepository;
  conversations: ConversationRepository;
  tools: ToolRunner;
  /** `widget.allowedOrigins`, read per call (hot reload). */
  allowedOrigins: () => readonly string[];
}) {
  /** The checked context, dropping any part that fails its check. */
  async function accept(payload: Pick<ChatContextPayload, 'productId' | 'url'>): Promise<PageContext> {
    const productId = payload.productId && (await deps.contexts.productExists(payload.productId)) ? payload.productId : null;
    return { productId, url: allowedUrl(payload.url ?? null, deps.allowedOrigins()) };
  }

  return {
    accept,

    /** Stores a checked context on the shopper's own conversation. */
    async set(sessionHash: string, conversationId: string, context: PageContext): Promise<Result<PageContext>> {
      const conversation = await deps.conversations.getConversation(conversationId);
      if (!conversation || conversation.session_hash !== sessionHash) {
        return fail('not-found', 'That conversation was not found.', 'Start a new chat.');
      }
      await deps.contexts.save(conversation.id, context);
      return ok(context);
    },

    /**
     * The model's view of the context: the product, fetched like a `get_product` call so it reaches the
     * model as a tool result (data by construction) and may be cited like any product a tool returned.
     */
    async forAnswer(conversationId: string): Promise<{ messages: LlmMessage[]; rows: ProductRow[] }> {
      const context = await deps.contexts.get(conversationId);
      if (!context?.productId) return { messages: [], rows: [] };
      const args = { id: context.productId };
      const run = await deps.tools.run({ id: 'call_page_context', name: 'get_product', arguments: args }, 'prefetch');
      if (run.rows.length === 0) return { messages: [], rows: [] };
      return {
        messages: [
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_product', arguments: args } }] },
          {
            role: 'tool',
            tool_name: 'get_product',
            content: `The shopper is looking at this product on the shop's page; "this" or "it" means it. ${run.content}`,
          },
        ],
        rows: run.rows,
      };
    },
  };
}

export type PageContextService = ReturnType<typeof createPageContextService>;

/** The URL when it is http(s) on one of the allowed origins, else null. */
export function allowedUrl(url: string | null, allowedOrigins: readonly string[]): string | null {
  if (url === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username || parsed.password) return null;
  return allowedOrigins.some((o) => new URL(o).origin === parsed.origin) ? parsed.href : null;
}
