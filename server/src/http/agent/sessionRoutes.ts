import { fail, loginSchema, ok } from '@aisle/shared';
import { Router } from 'express';
import { hashSessionToken, presentAgent } from '../../agents/agentAuth';
import { clientAddressKey } from '../clientAddress';
import { agentTokenFromCookieHeader, clearAgentCookie, setAgentCookie } from '../agentCookie';
import { agentOf, problems, requireAgent } from './agentGuards';
import type { AgentRoutesDeps } from './agentRoutesDeps';

/** Sign-in, sign-out and who is signed in: `/login`, `/logout`, `/me`. */
export function createSessionRoutes(deps: Pick<AgentRoutesDeps, 'auth' | 'endSockets' | 'logger'>): Router {
  const { auth } = deps;
  const log = deps.logger.child({ area: 'agent-api' });
  const signedIn = requireAgent(auth);
  const router = Router();

  router.post('/login', async (req, res) => {
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const outcome = await auth.login({
      email: parsed.data.email,
      password: parsed.data.password,
      address: clientAddressKey(req),
      previousToken: agentTokenFromCookieHeader(req.headers.cookie),
    });
    switch (outcome.kind) {
      case 'rate-limited':
        res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
        res
          .status(429)
          .json(
            fail(
              'rate-limited',
              'Too many failed sign-ins.',
              `Try again in ${Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60))} minute(s).`,
            ),
          );
        return;
      case 'wrong-credentials':
        // A disabled account answers like a wrong password (so nobody learns it exists or guessed right);
        // the operator sees why in the log.
        if (outcome.disabledAgentId) log.info({ agentId: outcome.disabledAgentId }, 'sign-in refused: the account is disabled');
        res.status(401).json(fail('unauthorized', 'Wrong email or password.'));
        return;
      case 'signed-in':
        setAgentCookie(res, outcome.token, req.secure, auth.options.sessionMaxMs);
        log.info({ agentId: outcome.agent.id }, 'agent signed in');
        res.json(ok(presentAgent(outcome.agent)));
        return;
    }
  });

  router.post('/logout', async (req, res) => {
    const token = agentTokenFromCookieHeader(req.headers.cookie);
    if (token) {
      const sessionHash = hashSessionToken(token);
      await auth.logout(sessionHash);
      deps.endSockets({ sessionHash }, 'signed-out');
    }
    clearAgentCookie(res, req.secure);
    res.json(ok(null));
  });

  router.get('/me', signedIn, (_req, res) => {
    res.json(ok(presentAgent(agentOf(res))));
  });
  return router;
}
