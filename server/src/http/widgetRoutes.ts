import { fail, ok, type WidgetSettings } from '@aisle/shared';
import { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { RateLimits } from '../capacity/rateLimits';
import type { ConversationRepository } from '../db/conversationRepository';
import { clientAddressKey } from './clientAddress';
import { refuseCrossSite } from './crossSiteGuard';
import { EMBED_PATH, refuseForeignFramer, shareWidgetScript } from './framing';
import { issueSessionToken } from './shopperSession';

/**
 * What the embeddable widget needs from the server, besides the chat page itself: the loader's
 * cross-origin header, the panel's framing guard, its settings, and sessions by token (third-party
 * cookies are blocked inside a shop's page). Mounted before the static files and `/api`.
 */
export function createWidgetRouter(deps: {
  conversations: ConversationRepository;
  /** `session-create` is charged per address for every token issued, like a new cookie session. */
  rateLimits: RateLimits;
  /** `widget` of the config in force (hot reload). */
  widget: () => WidgetSettings;
  /** Origins allowed to make state-changing requests (`server.allowedOrigins` and publicUrl). */
  allowedOrigins: () => readonly string[];
}) {
  const router = Router();
  const limit = rateLimit({
    windowMs: 60_000,
    limit: 600,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json(fail('rate-limited', 'Too many requests; slow down and try again in a minute.'));
    },
  });
  const allowNewSession = (req: Request) => deps.rateLimits.consume(clientAddressKey(req), 'session-create');

  router.get('/widget.js', shareWidgetScript());
  router.get(EMBED_PATH, refuseForeignFramer(() => deps.widget().allowedOrigins));
  router.get('/api/widget', limit, (_req, res) => {
    const { allowedOrigins, position, openOnLoad } = deps.widget();
    res.setHeader('Cache-Control', 'no-cache');
    res.json(ok({ allowedOrigins: allowedOrigins.map((o) => new URL(o).origin), position, openOnLoad } satisfies WidgetSettings));
  });
  router.post(
    '/api/session/token',
    limit,
    refuseCrossSite(deps.allowedOrigins),
    issueSessionToken(deps.conversations, allowNewSession),
  );
  return router;
}
