import type { ToolRunner } from '../assistant/tools';
import type { MessageRow } from '../db/conversationRepository';
import type { ProductRow } from '../db/productRepository';
import type { LlmMessage } from '../llm/types';
import { comparisonRequest } from './comparison';
import { presentMessage } from './messagePresenter';

/**
 * When the shopper asks to compare products an earlier answer showed ("compare the first two"), the
 * model gets each one as a `get_product` result before it writes: its short summary is then grounded
 * in the same rows the comparison table shows, and the grounding check may cite them.
 */
export async function comparisonContext(
  tools: ToolRunner,
  userText: string,
  history: readonly MessageRow[],
): Promise<{ messages: LlmMessage[]; rows: ProductRow[] }> {
  const previousCards =
    history
      .filter((m) => m.role === 'assistant')
      .map((m) => presentMessage(m).products)
      .findLast((cards) => cards.length > 0) ?? [];
  const ids = comparisonRequest(userText, [], previousCards);
  if (ids === null) return { messages: [], rows: [] };
  const messages: LlmMessage[] = [];
  const rows: ProductRow[] = [];
  for (const [i, id] of ids.entries()) {
    const args = { id };
    const run = await tools.run({ id: `call_compare_${i}`, name: 'get_product', arguments: args }, 'prefetch');
    if (run.rows.length === 0) continue;
    rows.push(...run.rows);
    messages.push(
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_product', arguments: args } }] },
      {
        role: 'tool',
        tool_name: 'get_product',
        content: `The shopper asked to compare this product with the others fetched here; the page shows them side by side in a table. ${run.content}`,
      },
    );
  }
  return rows.length >= 2 ? { messages, rows } : { messages: [], rows: [] };
}
