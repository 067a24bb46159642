import type { ProductCard } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import type { MessageRow } from '../db/conversationRepository';
import type { ProductOffer } from '../db/productRepository';
import { freshenCard, presentReopened } from './messagePresenter';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

const stored: ProductCard = {
  id: 'JKT-300',
  title: 'Stormline 2.5L Rain Jacket',
  brand: 'Stormline',
  category: 'Jackets',
  price: usd(14999),
  salePrice: usd(11999),
  availability: 'in_stock',
  rating: 4.5,
  reviewCount: 12,
  imageUrl: null,
  link: 'https://shop.example/p/JKT-300',
  sizes: ['M'],
  colors: ['Blue'],
};

const sameAsThen: ProductOffer = { price: stored.price, salePrice: stored.salePrice, availability: 'in_stock' };

describe('freshenCard', () => {
  it('leaves an unchanged product without a marker', () => {
    expect(freshenCard(stored, sameAsThen)).toEqual(stored);
  });

  it("shows today's price, with the price paid then as priceWas", () => {
    const card = freshenCard(stored, { ...sameAsThen, salePrice: null });
    expect(card).toMatchObject({ price: usd(14999), salePrice: null, change: { priceWas: usd(11999) } });
    expect(card.change?.stock).toBeUndefined();
  });

  it('does not call a new regular price a change while the same sale price is what the shopper pays', () => {
    expect(freshenCard(stored, { ...sameAsThen, price: usd(15999) }).change).toBeUndefined();
  });

  it('says a product sold out, or is back, alongside a price change', () => {
    expect(freshenCard(stored, { ...sameAsThen, salePrice: null, availability: 'out_of_stock' }).change).toEqual({
      priceWas: usd(11999),
      stock: 'now-out-of-stock',
    });
    const soldOutThen: ProductCard = { ...stored, availability: 'out_of_stock' };
    expect(freshenCard(soldOutThen, sameAsThen)).toMatchObject({ availability: 'in_stock', change: { stock: 'back-in-stock' } });
    expect(freshenCard({ ...stored, availability: 'backorder' }, sameAsThen).change).toEqual({ stock: 'back-in-stock' });
    // A preorder that ships was never "back".
    expect(freshenCard({ ...stored, availability: 'preorder' }, sameAsThen).change).toBeUndefined();
  });

  it('keeps the stored card of a product no longer in the catalogue, marked as such', () => {
    expect(freshenCard(stored, undefined)).toEqual({ ...stored, change: { stock: 'no-longer-available' } });
  });

  it('counts a currency change as a price change', () => {
    const eur = { amountMinor: 11999, currency: 'EUR' };
    expect(freshenCard(stored, { price: eur, salePrice: null, availability: 'in_stock' }).change).toEqual({
      priceWas: usd(11999),
    });
  });
});

function row(id: string, role: string, products: ProductCard[] | null): MessageRow {
  return {
    id,
    conversation_id: 'c1',
    seq: 0,
    role,
    content: id,
    status: 'complete',
    client_message_id: null,
    model: null,
    config_version: null,
    thinking: null,
    tool_calls: null,
    products: products === null ? null : JSON.stringify(products),
    error_code: null,
    error_message: null,
    error_hint: null,
    done_reason: null,
    first_token_ms: null,
    total_ms: null,
    prompt_eval_count: null,
    eval_count: null,
    load_duration_ns: null,
    prompt_eval_duration_ns: null,
    eval_duration_ns: null,
    total_duration_ns: null,
    created_at: '2025-05-01T10:00:00.000Z',
    completed_at: null,
    replaced_by: null,
    author_id: null,
    author_name: null,
    grounding: null,
    served_by: null,
    alternative_group: null,
    suggestions: null,
    comparison: null,
    constraints: null,
  };
}

describe('presentReopened', () => {
  it("reads today's offers for every card of the conversation at once", async () => {
    const boots: ProductCard = { ...stored, id: 'BT-1', salePrice: null, price: usd(9999) };
    const rows = [
      row('q1', 'user', null),
      row('a1', 'assistant', [stored]),
      row('q2', 'user', null),
      row('a2', 'assistant', [boots, stored]),
    ];
    const reads: string[][] = [];
    const messages = await presentReopened(rows, new Map(), async (ids) => {
      reads.push([...ids]);
      return new Map([['JKT-300', { ...sameAsThen, availability: 'out_of_stock' as const }]]);
    });

    expect(reads).toEqual([['JKT-300', 'BT-1', 'JKT-300']]);
    expect(messages.map((m) => m.products.map((p) => [p.id, p.change]))).toEqual([
      [],
      [['JKT-300', { stock: 'now-out-of-stock' }]],
      [],
      [
        ['BT-1', { stock: 'no-longer-available' }],
        ['JKT-300', { stock: 'now-out-of-stock' }],
      ],
    ]);
  });

  it('reads nothing for a conversation without cards', async () => {
    let reads = 0;
    await presentReopened([row('q1', 'user', null)], new Map(), async () => {
      reads += 1;
      return new Map();
    });
    expect(reads).toBe(0);
  });
});
