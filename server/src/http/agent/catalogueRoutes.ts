import { catalogueSyncStartedSchema, fail, ok, type CatalogueStatus } from '@aisle/shared';
import { Router, type RequestHandler } from 'express';
import { agentOf, requireAgent } from './agentGuards';
import type { AgentRoutesDeps } from './agentRoutesDeps';

/**
 * The catalogue panel of the admin page (admins only): sources with their product counts and the
 * sync history (`GET /api/agent/catalogue`), and "Sync now" for a configured feed
 * (`POST /api/agent/catalogue/sync/:name`, 202: it runs in the background and lands in the history).
 */
export function createCatalogueRoutes(deps: Pick<AgentRoutesDeps, 'auth' | 'catalogue' | 'logger'>): Router {
  const log = deps.logger.child({ area: 'agent-api' });
  const signedIn = requireAgent(deps.auth);
  const router = Router();
  const adminOnly: RequestHandler = (_req, res, next) => {
    if (agentOf(res).role !== 'admin') {
      res.status(403).json(fail('forbidden', 'Only admins can see and sync the catalogue.'));
      return;
    }
    next();
  };

  router.get('/catalogue', signedIn, adminOnly, async (_req, res) => {
    res.json(ok((await deps.catalogue.status()) satisfies CatalogueStatus));
  });

  router.post('/catalogue/sync/:name', signedIn, adminOnly, (req, res) => {
    const name = String(req.params.name);
    const outcome = deps.catalogue.syncNow(name);
    if (outcome === 'unknown-feed') {
      res.status(404).json(fail('not-found', `No feed named "${name}" in catalogue.feeds.`));
      return;
    }
    if (outcome === 'already-running') {
      res.status(409).json(fail('bad-request', `A sync of "${name}" is already running.`, 'Its result appears in the history.'));
      return;
    }
    log.info({ source: name, by: agentOf(res).id }, 'catalogue sync started from the console');
    res.status(202).json(ok(catalogueSyncStartedSchema.parse({ source: name, started: true })));
  });
  return router;
}
