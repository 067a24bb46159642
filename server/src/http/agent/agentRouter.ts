import { fail } from '@aisle/shared';
import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { refuseCrossSite } from '../crossSiteGuard';
import { createAdminRoutes } from './adminRoutes';
import type { AgentRoutesDeps } from './agentRoutesDeps';
import { createCatalogueRoutes } from './catalogueRoutes';
import { createConfigRoutes } from './configRoutes';
import { createDashboardRoutes } from './dashboardRoutes';
import { createSessionRoutes } from './sessionRoutes';
import { createTranscriptRoutes } from './transcriptRoutes';

/**
 * The agent console's JSON API under /api/agent. Everything but sign-in needs an agent session;
 * managing accounts needs an admin. State changes refuse cross-site requests.
 */
export function createAgentRouter(deps: AgentRoutesDeps): Router {
  const router = Router();

  router.use((_req, res, next) => {
    // Transcripts hold personal data: never keep them in a browser or proxy cache.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(refuseCrossSite(deps.allowedOrigins));
  router.use(
    rateLimit({
      windowMs: 60_000,
      limit: 600,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) =>
        res.status(429).json(fail('rate-limited', 'Too many requests; slow down and try again in a minute.')),
    }),
  );

  router.use(createSessionRoutes(deps));
  router.use(createAdminRoutes(deps));
  router.use(createTranscriptRoutes(deps));
  router.use(createDashboardRoutes(deps));
  router.use(createConfigRoutes(deps));
  router.use(createCatalogueRoutes(deps));

  router.use((_req, res) => {
    res.status(404).json(fail('not-found', 'No such API endpoint.'));
  });
  return router;
}
