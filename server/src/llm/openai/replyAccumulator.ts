import { z } from 'zod';
import { LlmError } from '../llmErrors';
import type { LlmEvent, LlmToolCall } from '../types';
import { StreamErrorEvent } from './openaiErrors';
import { chunkSchema, parseErrorBody, parseJsonOrUndefined, type Chunk, type ToolCallDelta } from './wire';

/** The events a chunk can carry at once; tool calls are held back until the reply is complete. */
export type TextEvent = Extract<LlmEvent, { type: 'thinking' | 'content' }>;

/** OpenAI finish reasons in the native API's terms: a tool-call turn ends with `stop` there too. */
export function doneReason(finish: string | null): string | null {
  if (finish === 'tool_calls' || finish === 'function_call') return 'stop';
  return finish;
}

/** Collects one streamed reply: text goes out at once, tool calls and usage at the end. */
export class ReplyAccumulator {
  /** `data: [DONE]` arrived. */
  isDone = false;
  finishReason: string | null = null;
  promptTokens: number | null = null;
  completionTokens: number | null = null;
  /** Deltas that carried generated text or tool-call parts: a token estimate when usage is missing. */
  generatedDeltas = 0;
  private readonly calls = new Map<
    number,
    { id: string | null; name: string; args: string; argsObject: Record<string, unknown> | null }
  >();
  private lastSlot = -1;

  /** Takes one parsed chunk; returns the thinking/content events it carries. */
  take(chunk: Chunk): TextEvent[] {
    const events: TextEvent[] = [];
    if (chunk.usage) {
      if (typeof chunk.usage.prompt_tokens === 'number') this.promptTokens = chunk.usage.prompt_tokens;
      if (typeof chunk.usage.completion_tokens === 'number') this.completionTokens = chunk.usage.completion_tokens;
    }
    for (const choice of chunk.choices ?? []) {
      // We ask for one choice; anything else is not ours.
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      const delta = choice.delta ?? choice.message;
      if (!delta) continue;
      // vLLM renamed `reasoning_content` to `reasoning` and may send both with the same text.
      const reasoning = delta.reasoning || delta.reasoning_content;
      if (reasoning) events.push({ type: 'thinking', text: reasoning });
      if (delta.content) events.push({ type: 'content', text: delta.content });
      for (const part of delta.tool_calls ?? []) this.mergeToolCall(part);
      if (reasoning || delta.content || (delta.tool_calls?.length ?? 0) > 0) this.generatedDeltas += 1;
    }
    return events;
  }

  /** True once anything generated has arrived (the first token). */
  get hasOutput(): boolean {
    return this.generatedDeltas > 0;
  }

  private mergeToolCall(part: ToolCallDelta): void {
    // vLLM streams one call as fragments keyed by `index` (id and name in the first one only);
    // Ollama /v1 sends each call whole. Without an index, a new id starts a new call.
    let slot = part.index ?? undefined;
    if (slot === undefined) {
      const known = part.id ? [...this.calls.entries()].find(([, c]) => c.id === part.id)?.[0] : undefined;
      if (known !== undefined) slot = known;
      else if (part.id || this.lastSlot < 0) slot = this.calls.size === 0 ? 0 : Math.max(...this.calls.keys()) + 1;
      else slot = this.lastSlot;
    }
    this.lastSlot = slot;
    let call = this.calls.get(slot);
    if (!call) {
      call = { id: null, name: '', args: '', argsObject: null };
      this.calls.set(slot, call);
    }
    if (part.id && !call.id) call.id = part.id;
    const name = part.function?.name;
    // Some servers repeat the whole name in every fragment; others (rarely) split it.
    if (name && name !== call.name) call.name += name;
    const args = part.function?.arguments;
    if (typeof args === 'string') call.args += args;
    else if (args) call.argsObject = args;
  }

  /** The finished tool calls, in index order. Throws if a call's arguments are not a JSON object. */
  toolCalls(warn: (fields: object, message: string) => void): LlmToolCall[] {
    const out: LlmToolCall[] = [];
    for (const [index, call] of [...this.calls.entries()].sort(([a], [b]) => a - b)) {
      if (call.name === '') {
        warn({ index, arguments: call.args.slice(0, 200) }, 'tool call without a name ignored');
        continue;
      }
      out.push({
        id: call.id,
        name: call.name,
        arguments: call.argsObject ?? parseArguments(call.name, call.args, this.finishReason),
      });
    }
    return out;
  }
}

/**
 * Tool arguments arrive as a JSON string. Invalid JSON fails the call like Ollama's native API does
 * (HTTP 500 "failed to parse JSON"): running the tool with `{}` instead would search the whole
 * catalogue and let the model recommend products the shopper never asked for.
 */
function parseArguments(name: string, raw: string, finishReason: string | null): Record<string, unknown> {
  if (raw.trim() === '') return {};
  const value = parseJsonOrUndefined(raw);
  if (value === null) return {};
  const parsed = z.record(z.string(), z.unknown()).safeParse(value);
  if (parsed.success) return parsed.data;
  const cut = finishReason === 'length' ? ' The answer hit the token limit (num_predict) in the middle of the call.' : '';
  throw new LlmError(
    'generation-failed',
    `The model called ${name} with arguments that are not a JSON object: ${raw.slice(0, 120)}${raw.length > 120 ? '…' : ''}.${cut}`,
    'Try again.',
  );
}

/** Parses SSE data payloads into events; records `[DONE]`; throws on an error event. */
export function* readEvents(datas: Iterable<string>, reply: ReplyAccumulator): Generator<TextEvent> {
  for (const data of datas) {
    if (reply.isDone) return;
    const trimmed = data.trim();
    if (trimmed === '[DONE]') {
      reply.isDone = true;
      return;
    }
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new StreamErrorEvent(`the server sent an event that is not JSON: ${trimmed.slice(0, 80)}`);
    }
    const error =
      typeof value === 'object' && value !== null && ('error' in value || 'object' in value) ? parseErrorBody(value) : null;
    if (error?.isErrorShape) throw new StreamErrorEvent(error.message);
    const chunk = chunkSchema.safeParse(value);
    if (!chunk.success)
      throw new StreamErrorEvent(`the server sent an unexpected event: ${chunk.error.issues[0]?.message ?? 'invalid'}`);
    yield* reply.take(chunk.data);
  }
}
