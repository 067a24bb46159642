import type { ChildProcess } from 'node:child_process';
import { z } from 'zod';

/**
 * IPC messages between the bench orchestrator and its child processes (the Ollama double with its
 * stamping relay, and the shopper workers). Validated with zod on both ends like any other boundary.
 */

/**
 * Each streamed token is ` t<seq>` followed by this placeholder; the relay replaces it with
 * `:<monotonic µs>` as it writes the line to the server, so a client can tell when it left "Ollama".
 */
export const STAMP_PLACEHOLDER = '#TS#';

/** Matches a stamped token in delta text: sequence number and write time (µs, CLOCK_MONOTONIC). */
export const STAMPED_TOKEN = / t(\d+):(\d+)/g;

/**
 * The first token of every answer also carries ` rq` plus this placeholder; the relay replaces it with
 * `:<monotonic µs>` of the moment the server's /api/chat request reached it, so the shopper who sent
 * the question can tell how long the server took from its `chat:send` to asking the model.
 */
export const REQUEST_PLACEHOLDER = '#RQ#';

/** Matches the request-arrival stamp in delta text (µs, CLOCK_MONOTONIC). */
export const REQUEST_STAMP = / rq:(\d+)/;

/** Microseconds on the machine-wide monotonic clock (process.hrtime is CLOCK_MONOTONIC on Linux). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export const doubleCommandSchema = z.discriminatedUnion('type', [
  /** Every following answer streams `tokens` content tokens, one every `tokenDelayMs`. */
  z.object({ type: z.literal('configure'), tokens: z.number().int().min(1), tokenDelayMs: z.number().min(0) }),
  /** Achieved per-stream token rates since the last `configure`. */
  z.object({ type: z.literal('rates') }),
  z.object({ type: z.literal('close') }),
]);
export type DoubleCommand = z.infer<typeof doubleCommandSchema>;

export const doubleReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({ type: z.literal('configured') }),
  /** `meanTokensPerSecond` is null when no stream had two tokens. */
  z.object({ type: z.literal('rates'), streams: z.number(), meanTokensPerSecond: z.number().nullable() }),
]);
export type DoubleReply = z.infer<typeof doubleReplySchema>;

export const workerCommandSchema = z.discriminatedUnion('type', [
  /** Connect one socket per session cookie. */
  z.object({ type: z.literal('connect'), url: z.string(), cookies: z.array(z.string()) }),
  /**
   * Every socket asks `rounds` questions one after another; the first sends are spread evenly over
   * `spreadMs` so streams do not all tick in phase.
   */
  z.object({
    type: z.literal('ask'),
    question: z.string(),
    tokens: z.number().int().min(1),
    rounds: z.number().int().min(1),
    spreadMs: z.number().min(0),
    timeoutMs: z.number().int().min(1),
  }),
  z.object({ type: z.literal('disconnect') }),
  z.object({ type: z.literal('close') }),
]);
export type WorkerCommand = z.infer<typeof workerCommandSchema>;

export const answersSchema = z.object({
  /** Per received token: client receive time minus relay write time, in µs. */
  latenciesUs: z.array(z.number()),
  /** Per answer: the relay's request-arrival stamp minus the client's time just before `chat:send`, in µs. */
  sendToRequestUs: z.array(z.number()),
  /** `chat:delta` events per answer. */
  emitsPerAnswer: z.array(z.number()),
  completed: z.number(),
  failed: z.number(),
  /** Failure reasons (error codes, `timeout`, ack errors), counted. */
  failures: z.record(z.string(), z.number()),
  /** Tokens in the stored answer that never arrived in a delta. */
  missingTokens: z.number(),
  /** Completed answers whose stored text did not hold every token. */
  truncatedAnswers: z.number(),
});
export type Answers = z.infer<typeof answersSchema>;

export const workerReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('connected'), connected: z.number(), errors: z.record(z.string(), z.number()) }),
  z.object({ type: z.literal('answered'), answers: answersSchema }),
  z.object({ type: z.literal('disconnected') }),
]);
export type WorkerReply = z.infer<typeof workerReplySchema>;

/** Sends a message to the parent process (no-op when not forked). */
export function toParent(message: DoubleReply | WorkerReply): void {
  process.send?.(message);
}

/**
 * Sends a command to a child and resolves with its next reply of the expected type. Commands to one
 * child are issued one at a time, so replies cannot interleave.
 */
export function ask<S extends z.ZodType<{ type: string }>, T extends z.infer<S>['type']>(
  child: ChildProcess,
  schema: S,
  command: DoubleCommand | WorkerCommand | null,
  expected: T,
  timeoutMs: number,
): Promise<Extract<z.infer<S>, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        cleanup();
        reject(new Error(`unexpected message from child ${child.pid}: ${JSON.stringify(raw).slice(0, 200)}`));
        return;
      }
      if (parsed.data.type !== expected) return;
      cleanup();
      resolve(parsed.data as Extract<z.infer<S>, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code}) while waiting for "${expected}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`child ${child.pid} did not answer "${expected}" within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (command) child.send(command);
  });
}
