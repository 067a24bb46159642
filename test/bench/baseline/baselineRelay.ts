/**
 * The bench baseline (issue 8): the least a server can do to relay a streamed model answer to a
 * Socket.IO client. Express + Socket.IO + the official `ollama` client, the same event map as Aisle
 * (`chat:send` in, `chat:delta` / `chat:completed` / `chat:failed` out) and the same coalescing, but
 * no database, no catalogue search, no tools, no sessions. `pnpm bench` runs it side by side with
 * Aisle against the same Ollama double, so Aisle's figures can be read as ratios to this floor.
 *
 * Configured by env: PORT, HOST (default 127.0.0.1), OLLAMA_HOST, AISLE_MODEL (default qwen3:4b),
 * COALESCE_MS (default 25).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { ChatMessage, ShopperClientEvents, ShopperServerEvents } from '@aisle/shared';
import { chatSendSchema, MAX_MESSAGE_CHARS } from '@aisle/shared';
import express from 'express';
import { Ollama } from 'ollama';
import { Server } from 'socket.io';
import { BaselineCoalescer } from './baselineCoalescer';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';
const model = process.env.AISLE_MODEL ?? 'qwen3:4b';
const coalesceMs = Number(process.env.COALESCE_MS ?? 25);
const ollama = new Ollama({ host: process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434' });

const app = express();
// Readiness probe for the bench; the baseline serves nothing else over HTTP.
app.get('/', (_req, res) => {
  res.type('text/plain').send('baseline relay\n');
});

const httpServer = http.createServer(app);
// The transport settings Aisle uses: no per-message deflate, no connection state recovery.
const io = new Server<ShopperClientEvents, ShopperServerEvents>(httpServer, { perMessageDeflate: false, serveClient: false });

function message(conversationId: string, id: string, role: ChatMessage['role'], content: string): ChatMessage {
  return {
    id,
    conversationId,
    role,
    content,
    status: 'complete',
    createdAt: new Date().toISOString(),
    products: [],
    error: null,
  };
}

io.on('connection', (socket) => {
  const streams = new Set<{ abort(): void }>();
  socket.on('disconnect', () => {
    // As in Aisle (minus the grace period): nobody is listening, so the model stops too.
    for (const stream of streams) stream.abort();
  });

  socket.on('chat:send', (payload: unknown, ack) => {
    if (typeof ack !== 'function') return;
    const parsed = chatSendSchema.safeParse(payload);
    if (!parsed.success || parsed.data.text.length > MAX_MESSAGE_CHARS) {
      ack({ ok: false, error: { code: 'bad-request', message: 'Invalid message.' } });
      return;
    }
    const conversationId = parsed.data.conversationId ?? randomUUID();
    const messageId = randomUUID();
    ack({
      ok: true,
      data: {
        conversationId,
        userMessage: message(conversationId, randomUUID(), 'user', parsed.data.text),
        assistantMessageId: messageId,
      },
    });
    void relay(parsed.data.text);

    async function relay(text: string): Promise<void> {
      let content = '';
      let emitted = 0;
      const coalescer = new BaselineCoalescer(coalesceMs, (delta) => {
        socket.emit('chat:delta', { conversationId, messageId, offset: emitted, text: delta });
        emitted += delta.length;
      });
      try {
        const stream = await ollama.chat({ model, messages: [{ role: 'user', content: text }], stream: true, think: false });
        streams.add(stream);
        try {
          for await (const part of stream) {
            if (!part.message.content) continue;
            content += part.message.content;
            coalescer.push(part.message.content);
          }
        } finally {
          streams.delete(stream);
        }
        coalescer.flush();
        socket.emit('chat:completed', { conversationId, message: message(conversationId, messageId, 'assistant', content) });
      } catch (err) {
        coalescer.flush();
        const failed = message(conversationId, messageId, 'assistant', content);
        socket.emit('chat:failed', {
          conversationId,
          message: {
            ...failed,
            status: 'error',
            error: { code: 'model-error', message: err instanceof Error ? err.message : String(err) },
          },
        });
      } finally {
        coalescer.dispose();
      }
    }
  });
});

httpServer.listen(port, host);

function shutdown(): void {
  void io.close();
  httpServer.close(() => process.exit(0));
  // Streams still open must not keep a bench from finishing.
  setTimeout(() => process.exit(0), 2_000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
