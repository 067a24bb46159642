import { fail, historyQuerySchema, ids, type ErrorCode, type Result } from '@aisle/shared';
import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { RateLimits } from '../capacity/rateLimits';
import type { ShopperHistory } from '../chat/shopperHistory';
import type { ConversationRepository } from '../db/conversationRepository';
import { refuseCrossSite } from './crossSiteGuard';
import { clientAddressKey } from './clientAddress';
import { sessionHashOf, shopperSession } from './shopperSession';

const STATUS: Record<string, number> = { 'bad-request': 400, 'not-found': 404, 'answer-in-progress': 409, 'rate-limited': 429 };

function reply<T>(res: Response, result: Result<T>): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(result.ok ? 200 : (STATUS[result.error.code] ?? 500)).json(result);
}

function refuse(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json(fail(code, message));
}

/**
 * The shopper's History over HTTP (issue 11), by session cookie or the widget's bearer token:
 * `GET /api/conversations?limit=&before=` lists it, `DELETE /api/conversations/:id` deletes one from it.
 * Mounted before `/api`, which answers every other path with 404.
 */
export function createHistoryRouter(deps: {
  history: ShopperHistory;
  conversations: ConversationRepository;
  /** `session-create` is charged per address when a request here creates the session (as `/api/session` does). */
  rateLimits: RateLimits;
  allowedOrigins: () => readonly string[];
}) {
  const router = Router();
  const allowNewSession = (req: Request) => deps.rateLimits.consume(clientAddressKey(req), 'session-create');
  const session = shopperSession(deps.conversations, allowNewSession);
  const tooMany = (_req: Request, res: Response) =>
    refuse(res, 429, 'rate-limited', 'Too many requests; slow down and try again in a minute.');
  // Per address for reading (like the rest of /api); deleting is per session, one click at a time.
  const listLimit = rateLimit({
    windowMs: 60_000,
    limit: 600,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: tooMany,
  });
  const deleteLimit = rateLimit({
    windowMs: 60_000,
    limit: 30,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => sessionHashOf(res),
    handler: tooMany,
  });

  router.get('/api/conversations', listLimit, session, async (req, res) => {
    const query = historyQuerySchema.safeParse(req.query);
    if (!query.success) {
      const issues = query.error.issues.map((i) => `${i.path.join('.') || 'query'} ${i.message}`).join('; ');
      refuse(res, 400, 'bad-request', `Invalid request: ${issues}`);
      return;
    }
    reply(res, await deps.history.list(sessionHashOf(res), query.data));
  });

  router.delete(
    '/api/conversations/:id',
    listLimit,
    refuseCrossSite(deps.allowedOrigins),
    session,
    deleteLimit,
    async (req, res) => {
      const id = ids.conversation.safeParse(req.params.id);
      if (!id.success) {
        refuse(res, 400, 'bad-request', 'That is not a conversation id.');
        return;
      }
      reply(res, await deps.history.hide(sessionHashOf(res), id.data));
    },
  );
  return router;
}
