import { fail } from '@aisle/shared';
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { hashSessionToken, type AgentAuth } from '../../agents/agentAuth';
import type { AgentRow } from '../../db/agentRepository';
import { agentTokenFromCookieHeader } from '../agentCookie';

/** A zod error as one line naming each bad field, for a 400 answer. */
export function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/** The signed-in agent, set by `requireAgent` (kept in `res.locals`, typed here). */
export function agentOf(res: Response): AgentRow {
  const agent: unknown = res.locals.agent;
  if (!agent || typeof agent !== 'object') throw new Error('requireAgent middleware did not run');
  return agent as AgentRow;
}

/** Lets a request through only with a live agent session cookie; answers 401 otherwise. */
export function requireAgent(auth: AgentAuth) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = agentTokenFromCookieHeader(req.headers.cookie);
    const agent = token ? await auth.authenticate(hashSessionToken(token)) : null;
    if (!agent) {
      res.status(401).json(fail('unauthorized', 'Sign in to the agent console.'));
      return;
    }
    res.locals.agent = agent;
    next();
  };
}

/** After `requireAgent`: lets only admins through; answers 403 otherwise. */
export function requireAdmin(_req: Request, res: Response, next: NextFunction): void {
  if (agentOf(res).role !== 'admin') {
    res.status(403).json(fail('forbidden', 'Only admins can manage agents.'));
    return;
  }
  next();
}
