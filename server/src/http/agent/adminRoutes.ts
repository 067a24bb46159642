import { createAgentSchema, fail, ok, updateAgentSchema } from '@aisle/shared';
import { Router } from 'express';
import { presentAgent } from '../../agents/agentAuth';
import { AgentExistsError } from '../../db/agentRepository';
import { agentOf, problems, requireAdmin, requireAgent } from './agentGuards';
import type { AgentRoutesDeps } from './agentRoutesDeps';

/**
 * Managing accounts (admins only): list, create, change, remove. Disabling or removing an agent ends
 * their sessions and live sockets at once and hands their conversations back to the assistant.
 */
export function createAdminRoutes(
  deps: Pick<AgentRoutesDeps, 'auth' | 'agents' | 'endSockets' | 'handBackAll' | 'logger'>,
): Router {
  const { auth, agents } = deps;
  const log = deps.logger.child({ area: 'agent-api' });
  const signedIn = requireAgent(auth);
  const router = Router();

  router.get('/agents', signedIn, requireAdmin, async (_req, res) => {
    res.json(ok({ agents: (await agents.list()).map(presentAgent) }));
  });

  router.post('/agents', signedIn, requireAdmin, async (req, res) => {
    const parsed = createAgentSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    try {
      const created = await auth.createAccount(parsed.data);
      log.info({ agentId: created.id, role: created.role, by: agentOf(res).id }, 'agent account created');
      res.status(201).json(ok(presentAgent(created)));
    } catch (err) {
      if (!(err instanceof AgentExistsError)) throw err;
      res.status(409).json(fail('bad-request', 'An agent with this email already exists.'));
    }
  });

  router.patch('/agents/:id', signedIn, requireAdmin, async (req, res) => {
    const parsed = updateAgentSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const me = agentOf(res);
    const target = await agents.getById(String(req.params.id));
    if (!target) {
      res.status(404).json(fail('not-found', 'No such agent.'));
      return;
    }
    if (target.id === me.id && (parsed.data.disabled === true || parsed.data.role === 'agent')) {
      res.status(400).json(fail('bad-request', 'You cannot disable or demote your own account.', 'Ask another admin.'));
      return;
    }
    const updated = await agents.update(target.id, parsed.data);
    if (!updated) {
      res.status(404).json(fail('not-found', 'No such agent.'));
      return;
    }
    if (parsed.data.disabled === true && target.disabled === 0) {
      await agents.deleteSessionsOf(target.id);
      deps.endSockets({ agentId: target.id }, 'disabled');
      await deps.handBackAll(target);
    }
    log.info({ agentId: target.id, change: parsed.data, by: me.id }, 'agent account updated');
    res.json(ok(presentAgent(updated)));
  });

  router.delete('/agents/:id', signedIn, requireAdmin, async (req, res) => {
    const me = agentOf(res);
    const target = await agents.getById(String(req.params.id));
    if (!target) {
      res.status(404).json(fail('not-found', 'No such agent.'));
      return;
    }
    if (target.id === me.id) {
      res.status(400).json(fail('bad-request', 'You cannot remove your own account.', 'Ask another admin.'));
      return;
    }
    await agents.delete(target.id);
    deps.endSockets({ agentId: target.id }, 'removed');
    await deps.handBackAll(target);
    log.info({ agentId: target.id, by: me.id }, 'agent account removed');
    res.json(ok(null));
  });
  return router;
}
