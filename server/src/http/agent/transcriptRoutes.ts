import { fail, ok, transcriptFilterSchema } from '@aisle/shared';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { TranscriptInputError, transcriptToMarkdown } from '../../agents/transcriptService';
import { agentOf, problems, requireAgent } from './agentGuards';
import type { AgentRoutesDeps } from './agentRoutesDeps';

const noteSchema = z.object({ body: z.string().trim().min(1, 'Write something first.').max(4000) });
const labelSchema = z.object({ label: z.string().trim().min(1).max(60) });
const flagSchema = z.object({ flagged: z.boolean() });
const exportSchema = z.object({ format: z.enum(['json', 'md']).default('json') });

/** Transcripts: the list, one conversation, its export, notes, labels, the flag, and the audited reveal. */
export function createTranscriptRoutes(
  deps: Pick<AgentRoutesDeps, 'auth' | 'transcripts' | 'transcriptRows' | 'rowChanged' | 'logger'>,
): Router {
  const { transcripts, transcriptRows } = deps;
  const log = deps.logger.child({ area: 'agent-api' });
  const signedIn = requireAgent(deps.auth);
  const router = Router();

  /** A conversation id from the path that exists, or a 404 already sent. */
  async function conversationParam(req: Request, res: Response): Promise<string | null> {
    const id = String(req.params.id ?? '');
    if (id.length > 64 || !(await transcriptRows.getConversation(id))) {
      res.status(404).json(fail('not-found', 'That conversation was not found.'));
      return null;
    }
    return id;
  }

  router.get('/transcripts', signedIn, async (req, res) => {
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

  router.get('/transcripts/:id', signedIn, async (req, res) => {
    const detail = await transcripts.detail(String(req.params.id));
    if (!detail) {
      res.status(404).json(fail('not-found', 'That conversation was not found.'));
      return;
    }
    res.json(ok(detail));
  });

  router.get('/transcripts/:id/export', signedIn, async (req, res) => {
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

  router.post('/transcripts/:id/notes', signedIn, async (req, res) => {
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

  router.post('/transcripts/:id/labels', signedIn, async (req, res) => {
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

  router.delete('/transcripts/:id/labels/:label', signedIn, async (req, res) => {
    const id = await conversationParam(req, res);
    if (!id) return;
    await transcriptRows.removeLabel(id, String(req.params.label).trim());
    deps.rowChanged(id);
    res.json(ok({ labels: (await transcriptRows.labelsFor([id])).get(id) ?? [] }));
  });

  router.post('/transcripts/:id/flag', signedIn, async (req, res) => {
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

  router.post('/messages/:id/reveal', signedIn, async (req, res) => {
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
  router.post('/transcripts/:id/contact/reveal', signedIn, async (req, res) => {
    const id = String(req.params.id ?? '');
    const conversation = id.length > 64 ? undefined : await transcriptRows.getConversation(id);
    if (!conversation?.contact_email) {
      res.status(404).json(fail('not-found', 'This conversation has no contact email.'));
      return;
    }
    const agent = agentOf(res);
    // Recorded before the address leaves the server, like a message reveal, naming what was shown.
    await transcriptRows.recordReveal({
      messageId: '',
      conversationId: conversation.id,
      agentId: agent.id,
      agentEmail: agent.email,
      revealed: 'contact-email',
    });
    log.info({ agentId: agent.id, conversationId: conversation.id }, 'contact email revealed');
    res.json(ok({ conversationId: conversation.id, email: conversation.contact_email, note: conversation.contact_note }));
  });
  return router;
}
