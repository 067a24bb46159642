import { fail, ok } from '@aisle/shared';
import { Router } from 'express';
import { z } from 'zod';
import { TranscriptInputError } from '../../agents/transcriptService';
import { problems, requireAgent } from './agentGuards';
import type { AgentRoutesDeps } from './agentRoutesDeps';

const rangeSchema = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() });

/** The dashboard: figures over a date range and the model experiments. */
export function createDashboardRoutes(deps: Pick<AgentRoutesDeps, 'auth' | 'transcripts' | 'experiments'>): Router {
  const { transcripts } = deps;
  const signedIn = requireAgent(deps.auth);
  const router = Router();

  router.get('/experiments', signedIn, async (_req, res) => {
    res.json(ok(await deps.experiments()));
  });

  router.get('/experiments/:name', signedIn, async (req, res) => {
    const all = await deps.experiments();
    const experiment = all.experiments.find((e) => e.name === String(req.params.name));
    if (!experiment) {
      res.status(404).json(fail('not-found', `No experiment named ${String(req.params.name)}.`));
      return;
    }
    res.json(ok(experiment));
  });

  router.get('/dashboard', signedIn, async (req, res) => {
    const parsed = rangeSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    try {
      res.json(ok(await transcripts.dashboard(parsed.data)));
    } catch (err) {
      if (!(err instanceof TranscriptInputError)) throw err;
      res.status(400).json(fail('bad-request', err.message));
    }
  });
  return router;
}
