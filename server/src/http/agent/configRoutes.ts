import { ok, type ConfigStatus } from '@aisle/shared';
import { Router } from 'express';
import { requireAgent } from './agentGuards';
import type { AgentRoutesDeps } from './agentRoutesDeps';

/**
 * `GET /api/agent/config`: the config version in force and the last edit the server refused, with
 * why. Agents only: the reason names hosts and commands shoppers must never see.
 */
export function createConfigRoutes(deps: Pick<AgentRoutesDeps, 'auth' | 'configStatus'>): Router {
  const router = Router();
  router.get('/config', requireAgent(deps.auth), (_req, res) => {
    res.json(ok(deps.configStatus() satisfies ConfigStatus));
  });
  return router;
}
