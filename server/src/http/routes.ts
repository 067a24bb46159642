import { ok, fail, productSearchSchema } from '@aisle/shared';
import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ConversationRepository } from '../db/conversationRepository';
import type { ProductRepository } from '../db/productRepository';
import type { ModelHealth } from '../llm/modelHealth';
import { shopperSession, sessionHashOf } from './shopperSession';

/** The JSON API under /api. Handlers are thin: validate, call a repository or service, answer. */
export function createApiRouter(deps: { products: ProductRepository; conversations: ConversationRepository; health: ModelHealth }) {
  const router = Router();
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: 300,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => res.status(429).json(fail('rate-limited', 'Too many requests; slow down and try again in a minute.')),
    }),
  );

  router.get('/health', async (_req, res) => {
    res.json(ok(await deps.health.check()));
  });

  router.get('/session', shopperSession(deps.conversations), async (_req, res) => {
    const rows = await deps.conversations.listConversations(sessionHashOf(res));
    res.json(ok({ conversations: rows.map((c) => ({ id: c.id, title: c.title, updatedAt: c.updated_at })) }));
  });

  router.get('/products', async (req, res) => {
    const parsed = productSearchSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      return;
    }
    const hits = await deps.products.search(parsed.data);
    const cards = await deps.products.getCards(hits.map((h) => h.row.id));
    res.json(ok({ products: cards, count: cards.length }));
  });

  router.get('/products/:id', async (req, res) => {
    const [card] = await deps.products.getCards([req.params.id]);
    if (!card) {
      res.status(404).json(fail('not-found', `No product with id ${req.params.id}.`));
      return;
    }
    const row = await deps.products.getById(req.params.id);
    res.json(ok({ ...card, description: row?.description ?? '' }));
  });

  router.use((_req, res) => {
    res.status(404).json(fail('not-found', 'No such API endpoint.'));
  });
  return router;
}
