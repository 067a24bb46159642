import {
  createAgentSchema,
  fail,
  loginSchema,
  ok,
  transcriptFilterSchema,
  updateAgentSchema,
  type Experiments,
} from '@aisle/shared';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { hashSessionToken, presentAgent, type AgentAuth } from '../agents/agentAuth';
import { TranscriptInputError, transcriptToMarkdown, type TranscriptService } from '../agents/transcriptService';
import { AgentExistsError, type AgentRepository, type AgentRow } from '../db/agentRepository';
import type { TranscriptRepository } from '../db/transcriptRepository';
import type { Logger } from '../logger';
import { agentTokenFromCookieHeader, clearAgentCookie, setAgentCookie } from './agentCookie';
import { refuseCrossSite } from './crossSiteGuard';

/** What the agent API needs; `sessions` reaches the live sockets, `handBackAll` the chat. */
export interface AgentRoutesDeps {
  auth: AgentAuth;
  agents: AgentRepository;
  transcripts: TranscriptService;
  transcriptRows: TranscriptRepository;
  allowedOrigins: () => readonly string[];
  /** Ends live sockets of one session or of every session of an agent. */
  endSockets(match: { sessionHash?: string; agentId?: string }, reason: string): void;
  /** Returns the conversations an agent had taken over to the assistant (when disabled or removed). */
  handBackAll(agent: AgentRow): Promise<void>;
  /** Model experiments and their comparison per arm. */
  experiments(): Promise<Experiments>;
  /** Something in a conversation's list row changed (labels, flag): tell every console. */
  rowChanged(conversationId: string): void;
  logger: Logger;
}

const noteSchema = z.object({ body: z.string().trim().min(1, 'Write something first.').max(4000) });
const labelSchema = z.object({ label: z.string().trim().min(1).max(60) });
const flagSchema = z.object({ flagged: z.boolean() });
const exportSchema = z.object({ format: z.enum(['json', 'md']).default('json') });
const rangeSchema = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() });

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/** The signed-in agent, set by `requireAgent` (kept in `res.locals`, typed here). */
function agentOf(res: Response): AgentRow {
  const agent: unknown = res.locals.agent;
  if (!agent || typeof agent !== 'object') throw new Error('requireAgent middleware did not run');
  return agent as AgentRow;
}

/**
 * The agent console's JSON API under /api/agent. Everything but sign-in needs an agent session;
 * managing accounts needs an admin. State changes refuse cross-site requests.
 */
export function createAgentRouter(deps: AgentRoutesDeps) {
  const { auth, agents, transcripts, transcriptRows, logger } = deps;
  const log = logger.child({ area: 'agent-api' });
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

  async function requireAgent(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token = agentTokenFromCookieHeader(req.headers.cookie);
    const agent = token ? await auth.authenticate(hashSessionToken(token)) : null;
    if (!agent) {
      res.status(401).json(fail('unauthorized', 'Sign in to the agent console.'));
      return;
    }
    res.locals.agent = agent;
    next();
  }

  function requireAdmin(_req: Request, res: Response, next: NextFunction): void {
    if (agentOf(res).role !== 'admin') {
      res.status(403).json(fail('forbidden', 'Only admins can manage agents.'));
      return;
    }
    next();
  }

  /** A conversation id from the path that exists, or a 404 already sent. */
  async function conversationParam(req: Request, res: Response): Promise<string | null> {
    const id = String(req.params.id ?? '');
    if (id.length > 64 || !(await transcriptRows.getConversation(id))) {
      res.status(404).json(fail('not-found', 'That conversation was not found.'));
      return null;
    }
    return id;
  }

  // ---- Sign-in ----

  router.post('/login', async (req, res) => {
    const parsed = loginSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const outcome = await auth.login({
      email: parsed.data.email,
      password: parsed.data.password,
      address: req.ip ?? 'unknown',
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
        res.status(401).json(fail('unauthorized', 'Wrong email or password.'));
        return;
      case 'disabled':
        res.status(403).json(fail('forbidden', 'This account is disabled.', 'Ask an admin to enable it.'));
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

  router.get('/me', requireAgent, (_req, res) => {
    res.json(ok(presentAgent(agentOf(res))));
  });

  // ---- Accounts (admins) ----

  router.get('/agents', requireAgent, requireAdmin, async (_req, res) => {
    res.json(ok({ agents: (await agents.list()).map(presentAgent) }));
  });

  router.post('/agents', requireAgent, requireAdmin, async (req, res) => {
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

  router.patch('/agents/:id', requireAgent, requireAdmin, async (req, res) => {
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

  router.delete('/agents/:id', requireAgent, requireAdmin, async (req, res) => {
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

  // ---- Transcripts ----

  router.get('/transcripts', requireAgent, async (req, res) => {
    const parsed = transcriptFilterSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    try {
      res.json(ok(await transcripts.list(parsed.data)));
    } catch (err) {
      if (!(err instanceof TranscriptInputError)) throw err;
      res.status(400).json(fail('bad-request', err.message));
    }
  });

  router.get('/transcripts/:id', requireAgent, async (req, res) => {
    const detail = await transcripts.detail(String(req.params.id));
    if (!detail) {
      res.status(404).json(fail('not-found', 'That conversation was not found.'));
      return;
    }
    res.json(ok(detail));
  });

  router.get('/transcripts/:id/export', requireAgent, async (req, res) => {
    const parsed = exportSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const detail = await transcripts.detail(String(req.params.id));
    if (!detail) {
      res.status(404).json(fail('not-found', 'That conversation was not found.'));
      return;
    }
    const name = `transcript-${detail.id.replace(/[^A-Za-z0-9-]/g, '')}`;
    if (parsed.data.format === 'md') {
      res.attachment(`${name}.md`).type('text/markdown; charset=utf-8').send(transcriptToMarkdown(detail));
    } else {
      res
        .attachment(`${name}.json`)
        .type('application/json; charset=utf-8')
        .send(`${JSON.stringify(detail, null, 2)}\n`);
    }
  });

  router.post('/transcripts/:id/notes', requireAgent, async (req, res) => {
    const parsed = noteSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const id = await conversationParam(req, res);
    if (!id) return;
    const agent = agentOf(res);
    const note = await transcriptRows.addNote({
      conversationId: id,
      agentId: agent.id,
      agentName: agent.name,
      body: parsed.data.body,
    });
    res.status(201).json(ok({ id: note.id, body: note.body, agentName: note.agent_name, createdAt: note.created_at }));
  });

  router.post('/transcripts/:id/labels', requireAgent, async (req, res) => {
    const parsed = labelSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const id = await conversationParam(req, res);
    if (!id) return;
    await transcriptRows.addLabel(id, parsed.data.label.replace(/\s+/g, ' '), agentOf(res).id);
    deps.rowChanged(id);
    res.json(ok({ labels: (await transcriptRows.labelsFor([id])).get(id) ?? [] }));
  });

  router.delete('/transcripts/:id/labels/:label', requireAgent, async (req, res) => {
    const id = await conversationParam(req, res);
    if (!id) return;
    await transcriptRows.removeLabel(id, String(req.params.label).trim());
    deps.rowChanged(id);
    res.json(ok({ labels: (await transcriptRows.labelsFor([id])).get(id) ?? [] }));
  });

  router.post('/transcripts/:id/flag', requireAgent, async (req, res) => {
    const parsed = flagSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(fail('bad-request', problems(parsed.error)));
      return;
    }
    const id = await conversationParam(req, res);
    if (!id) return;
    await transcriptRows.setFlag(id, parsed.data.flagged, agentOf(res).id);
    deps.rowChanged(id);
    res.json(ok({ flagged: parsed.data.flagged }));
  });

  router.post('/messages/:id/reveal', requireAgent, async (req, res) => {
    const message = await transcriptRows.getMessage(String(req.params.id));
    if (!message) {
      res.status(404).json(fail('not-found', 'That message was not found.'));
      return;
    }
    const agent = agentOf(res);
    // Recorded before the text leaves the server: no reveal without its audit row.
    await transcriptRows.recordReveal({
      messageId: message.id,
      conversationId: message.conversation_id,
      agentId: agent.id,
      agentEmail: agent.email,
    });
    log.info({ agentId: agent.id, messageId: message.id }, 'message revealed');
    res.json(ok({ messageId: message.id, content: message.content }));
  });

  // ---- Dashboard ----

  router.get('/experiments', requireAgent, async (_req, res) => {
    res.json(ok(await deps.experiments()));
  });

  router.get('/experiments/:name', requireAgent, async (req, res) => {
    const all = await deps.experiments();
    const experiment = all.experiments.find((e) => e.name === String(req.params.name));
    if (!experiment) {
      res.status(404).json(fail('not-found', `No experiment named ${String(req.params.name)}.`));
      return;
    }
    res.json(ok(experiment));
  });

  router.get('/dashboard', requireAgent, async (req, res) => {
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

  router.use((_req, res) => {
    res.status(404).json(fail('not-found', 'No such API endpoint.'));
  });
  return router;
}
