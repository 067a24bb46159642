import type { AnswerPhase } from '@aisle/shared';
import type { ProductRow } from '../db/productRepository';
import { LlmError } from '../llm/llmErrors';
import type { ChatBackend } from '../llm/chatBackend';
import { isSameModel } from '../llm/modelNames';
import type { LlmMessage, LlmStats } from '../llm/types';
import { extractPrefetchFilters, type ToolRunner, type ToolTrace } from './tools';

/** Settings of one answer, taken from the config in force when it starts. */
export interface AnswerSettings {
  model: string;
  think: boolean | 'low' | 'medium' | 'high';
  keepAlive: string | number;
  options: Record<string, number | undefined>;
  maxToolRounds: number;
  prefetchProducts: number;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  busyRetries: number;
  busyRetryBaseMs: number;
}

/** Everything an answer produced so far; filled in as it streams, so a failure keeps the partial. */
export interface AnswerState {
  content: string;
  thinking: string;
  traces: ToolTrace[];
  /** Every product row that a tool returned in this turn (what the answer may legitimately cite). */
  seenRows: Map<string, ProductRow>;
  stats: LlmStats;
  firstTokenMs: number | null;
  rounds: number;
}

export interface AnswerCallbacks {
  onPhase(phase: AnswerPhase, detail?: string): void;
  onText(text: string): void;
  /** Called before tools run, so pending text is flushed first. */
  onToolCalls(): void;
}

export function emptyAnswerState(): AnswerState {
  return {
    content: '',
    thinking: '',
    traces: [],
    seenRows: new Map(),
    stats: {
      doneReason: null,
      promptEvalCount: 0,
      evalCount: 0,
      loadDurationNs: 0,
      promptEvalDurationNs: 0,
      evalDurationNs: 0,
      totalDurationNs: 0,
    },
    firstTokenMs: null,
    rounds: 0,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs one answer: a catalogue search on the shopper's words first (so a small model that skips the
 * tool still answers from the catalogue), then up to `maxToolRounds` model calls with the tools. The
 * last round offers no tools, so the model has to answer. Throws LlmError or the abort reason; `state`
 * keeps whatever was produced.
 */
export async function runAnswer(input: {
  gateway: ChatBackend;
  tools: ToolRunner;
  settings: AnswerSettings;
  messages: LlmMessage[];
  userText: string;
  /** Earlier shopper messages of the conversation, oldest first (follow-ups refer to them). */
  priorUserTexts?: string[];
  /**
   * The pre-answer search's filters from the shopper's constraints (`searchFilters`). When given they
   * replace the filters read from the words, so a chip the shopper removed stays removed.
   */
  prefetchFilters?: Record<string, unknown>;
  /** The shopper's page language, passed to every catalogue search (spelling is corrected only in the catalogue's). */
  locale?: string | undefined;
  signal: AbortSignal;
  callbacks: AnswerCallbacks;
  state: AnswerState;
}): Promise<void> {
  const { gateway, tools, settings, signal, callbacks, state } = input;
  const started = performance.now();
  const messages = [...input.messages];

  if (settings.prefetchProducts > 0) {
    callbacks.onPhase('searching');
    const read = prefetchArguments(input.userText, input.priorUserTexts ?? []);
    const args = input.prefetchFilters ? { query: read.query, ...input.prefetchFilters } : read;
    const run = await tools.run(
      { id: 'call_prefetch', name: 'search_products', arguments: args },
      'prefetch',
      settings.prefetchProducts,
      input.locale,
    );
    state.traces.push(run.trace);
    for (const r of run.rows) state.seenRows.set(r.id, r);
    // Shown to the model as if it had called the tool itself: tool output is data by construction.
    messages.push({ role: 'assistant', content: '', tool_calls: [{ function: { name: 'search_products', arguments: args } }] });
    messages.push({ role: 'tool', tool_name: 'search_products', content: run.content });
  }

  callbacks.onPhase('waiting');
  void gateway.loadedModels().then((loaded) => {
    if (loaded && !loaded.some((m) => isSameModel(m, settings.model)) && state.firstTokenMs === null && !signal.aborted) {
      callbacks.onPhase('loading-model', `Loading ${settings.model}…`);
    }
  });

  for (let round = 1; round <= settings.maxToolRounds; round++) {
    state.rounds = round;
    const offerTools = round < settings.maxToolRounds;
    let roundContent = '';
    let roundThinking = '';
    const calls: Array<{ id: string | null; name: string; arguments: Record<string, unknown> }> = [];

    for (let attempt = 0; ; attempt++) {
      try {
        for await (const ev of gateway.streamChat({
          model: settings.model,
          messages,
          ...(offerTools ? { tools: tools.offered() } : {}),
          think: settings.think,
          keepAlive: settings.keepAlive,
          options: settings.options,
          signal,
          firstTokenTimeoutMs: settings.firstTokenTimeoutMs,
          idleTimeoutMs: settings.idleTimeoutMs,
        })) {
          if (ev.type === 'thinking') {
            roundThinking += ev.text;
            state.thinking += ev.text;
          } else if (ev.type === 'content') {
            if (state.firstTokenMs === null) {
              state.firstTokenMs = Math.round(performance.now() - started);
              callbacks.onPhase('writing');
            }
            roundContent += ev.text;
            state.content += ev.text;
            callbacks.onText(ev.text);
          } else if (ev.type === 'tool_calls') {
            calls.push(...ev.calls);
          } else {
            addStats(state.stats, ev.stats);
          }
        }
        break;
      } catch (err) {
        const canRetry =
          err instanceof LlmError && err.code === 'ollama-busy' && attempt < settings.busyRetries && roundContent === '';
        if (!canRetry) throw err;
        const wait = settings.busyRetryBaseMs * 2 ** attempt;
        callbacks.onPhase('retrying', `Ollama is busy, retrying in ${Math.max(1, Math.round(wait / 1000))} s…`);
        await sleep(wait, signal);
      }
    }

    if (calls.length === 0 || !offerTools) return;

    callbacks.onToolCalls();
    callbacks.onPhase('searching');
    messages.push({
      role: 'assistant',
      content: roundContent,
      ...(roundThinking ? { thinking: roundThinking } : {}),
      tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })),
    });
    for (const call of calls) {
      const run = await tools.run(call, 'model', undefined, input.locale);
      state.traces.push(run.trace);
      for (const r of run.rows) state.seenRows.set(r.id, r);
      messages.push({ role: 'tool', tool_name: call.name, content: run.content, ...(call.id ? { tool_call_id: call.id } : {}) });
    }
    // Text written before a tool call stays in the answer; separate it from what follows.
    if (roundContent && !/\s$/.test(state.content)) {
      state.content += '\n\n';
      callbacks.onText('\n\n');
    }
    callbacks.onPhase('writing');
  }
}

/**
 * The server's own search before the first model call. A short follow-up ("in size 44?") keeps the
 * words and the budget of the message before it, so the search still knows what "those" are.
 */
export function prefetchArguments(userText: string, priorUserTexts: readonly string[]): Record<string, unknown> {
  const previous = priorUserTexts.at(-1);
  const isFollowUp =
    previous !== undefined &&
    userText.trim().split(/\s+/).length < 9 &&
    (/\b(those|these|them|it|that|ones?|same|cheaper|bigger|smaller|other|another|instead)\b|^\s*(and|what about|how about|in|any)\b/i.test(
      userText,
    ) ||
      // The same words in the other shipped UI languages (German, Spanish, Chinese).
      /\b(günstiger|billiger|größer|kleiner|andere[nms]?|gleiche[nms]?|diese[nrs]?|stattdessen|más barat[oa]s?|más grandes?|más pequeñ[oa]s?|otr[oa]s?|es[oa]s|mism[oa]s?|en cambio)\b|^\s*(und|y|¿y)\s/i.test(
        userText,
      ) ||
      /这些|那些|便宜|其他|别的|同样|更大|更小|还有/.test(userText));
  const query = (isFollowUp ? `${previous} ${userText}` : userText).slice(0, 200);
  const filters = { ...(isFollowUp ? extractPrefetchFilters(previous) : {}), ...extractPrefetchFilters(userText) };
  return { query, ...renameFilters(filters) };
}

function renameFilters(f: { maxPrice?: number; minPrice?: number; size?: string }): Record<string, unknown> {
  return {
    ...(f.maxPrice !== undefined ? { max_price: f.maxPrice } : {}),
    ...(f.minPrice !== undefined ? { min_price: f.minPrice } : {}),
    ...(f.size !== undefined ? { size: f.size } : {}),
  };
}

function addStats(total: LlmStats, s: LlmStats): void {
  total.doneReason = s.doneReason;
  total.promptEvalCount += s.promptEvalCount;
  total.evalCount += s.evalCount;
  total.loadDurationNs += s.loadDurationNs;
  total.promptEvalDurationNs += s.promptEvalDurationNs;
  total.evalDurationNs += s.evalDurationNs;
  total.totalDurationNs += s.totalDurationNs;
}
