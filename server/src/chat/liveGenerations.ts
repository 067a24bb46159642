import type { AnswerPhase } from '@aisle/shared';
import type { AnswerState } from '../assistant/answerRunner';
import { DeltaCoalescer } from '../assistant/deltaCoalescer';
import type { StreamingText } from '../db/conversationRepository';
import type { Logger } from '../logger';

/**
 * The answers being generated right now, one per conversation: what each has sent so far (so a
 * resume continues at the right offset), how to stop it, the lock held while the next one is set
 * up, the grace timers that stop an answer nobody watches, and the checkpoint that saves every
 * streaming answer's text once a second.
 */

/** Why a generation ended early. */
export type StopReason = 'stopped' | 'disconnected' | 'shutdown' | 'timeout' | 'taken-over';

/** The abort reason of a generation stopped on purpose (as opposed to one that failed). */
export class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
    this.name = 'StopSignal';
  }
}

/** An answer being generated: its live text (for resumes) and how to stop it. */
export interface Generation {
  conversationId: string;
  messageId: string;
  state: AnswerState;
  /** Text already sent to clients; resumes continue from here so no text is lost or repeated. */
  emitted: string;
  phase: AnswerPhase;
  detail: string | undefined;
  /** Place in line while `phase` is `queued` (1 = next). */
  position?: number;
  controller: AbortController;
  /** Settles once the answer is committed (or could not be stored). */
  done: Promise<void>;
}

/** One streamed piece of an answer with where it starts in the answer's text. */
export interface DeltaEvent {
  conversationId: string;
  messageId: string;
  offset: number;
  text: string;
}

/** What this node can learn of an answer another node is generating (several nodes only). */
export interface RemoteGeneration {
  messageId: string;
  /** Every piece of text the answer has sent so far: a resume continues at its length. */
  content: string;
  phase: AnswerPhase;
  detail?: string;
  position?: number;
}

/**
 * The live answers of every node, shared (Redis, `cluster/`): each node publishes the answers it runs
 * (their text with offsets and their phase) and reaches those of other nodes through it. Absent on a
 * single node. Publishing never throws; the writes of one answer reach the store in order.
 */
export interface LiveShare {
  started(conversationId: string, messageId: string): void;
  appended(event: DeltaEvent): void;
  phaseChanged(generation: Generation): void;
  ended(conversationId: string, messageId: string): void;
  /**
   * Marks the conversation's next answer as being set up on this node, unless an answer runs or is
   * being set up on any node: false then. Released by {@link LiveShare.release}.
   */
  claim(conversationId: string): Promise<boolean>;
  release(conversationId: string): void;
  /** The answer generating on another node for the conversation, if any. */
  find(conversationId: string): Promise<RemoteGeneration | null>;
  /**
   * Asks the node running the conversation's answer to stop it; resolves with the answer's message id
   * once it is committed there, or null when no node runs one.
   */
  stop(conversationId: string, reason: StopReason): Promise<string | null>;
}

/** How often the streamed text of the live answers is saved (a kill loses at most this much). */
const CHECKPOINT_MS = 1000;

/** The registry of live generations of one chat service. */
export function createLiveGenerations(options: {
  disconnectGraceMs: () => number;
  /**
   * Saves the texts of answers still streaming, all of them in one transaction (synchronous on
   * SQLite, settled when the promise is on PostgreSQL). A row already committed must be left as it is.
   */
  saveStreamingTexts: (texts: StreamingText[]) => void | Promise<void>;
  /** Time between checkpoints (1 s unless a test says otherwise). */
  checkpointMs?: number;
  /** The answers of every node (several nodes only). */
  share?: LiveShare;
  /**
   * Whether anyone watches the conversation on any node; asked when the grace period ends (several
   * nodes: the shopper may be back on another node). Without it, only this node's watchers count.
   */
  hasWatchers?: (conversationId: string) => Promise<boolean>;
  logger: Logger;
}) {
  const { logger: log } = options;
  const checkpointMs = options.checkpointMs ?? CHECKPOINT_MS;
  const generations = new Map<string, Generation>();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  /** Conversations whose next answer is being set up (between the check and the start). */
  const starting = new Set<string>();
  /** How much of each generation's text is saved; a new answer's row starts empty. */
  const savedLength = new WeakMap<Generation, number>();
  /** One ticker for all live answers, running only while there are any. */
  let ticker: NodeJS.Timeout | null = null;

  /**
   * Saves every live answer whose text grew since the last checkpoint, in one transaction: one commit a
   * second whatever the number of streams, instead of one per stream. A failed save is retried with
   * the newer text at the next tick.
   */
  function checkpoint(): void {
    const due: Array<{ generation: Generation; text: StreamingText }> = [];
    for (const generation of generations.values()) {
      // `emitted` only grows, so a longer text is a changed one.
      if (generation.emitted.length > (savedLength.get(generation) ?? 0)) {
        due.push({ generation, text: { messageId: generation.messageId, content: generation.emitted } });
      }
    }
    if (due.length === 0) return;
    const failed = (err: unknown) => log.warn({ err, answers: due.length }, 'could not save streaming text');
    const saved = () => {
      for (const d of due) savedLength.set(d.generation, d.text.content.length);
    };
    try {
      const saving = options.saveStreamingTexts(due.map((d) => d.text));
      if (saving) saving.then(saved, failed);
      else saved();
    } catch (err) {
      failed(err);
    }
  }

  function stopTicker(): void {
    if (ticker) clearInterval(ticker);
    ticker = null;
  }

  return {
    /** The answer generating for the conversation, if any. */
    get(conversationId: string): Generation | undefined {
      return generations.get(conversationId);
    },

    /** True while an answer is generating for the conversation. */
    has(conversationId: string): boolean {
      return generations.has(conversationId);
    },

    /** True while an answer is generating or being set up: a new one must wait. */
    isBusy(conversationId: string): boolean {
      return generations.has(conversationId) || starting.has(conversationId);
    },

    /**
     * Runs `setUp` with the conversation marked busy, so a second send or retry arriving meanwhile is
     * refused. Check `isBusy` first, in the same tick. No id (a new conversation) takes no lock.
     */
    async whileStarting<T>(conversationId: string | undefined, setUp: () => Promise<T>): Promise<T> {
      if (conversationId) starting.add(conversationId);
      try {
        return await setUp();
      } finally {
        if (conversationId) {
          starting.delete(conversationId);
          // After the answer was shared (same connection, in order): a node that claims next sees it.
          options.share?.release(conversationId);
        }
      }
    },

    /** Registers an answer; its text is saved at every checkpoint from now on until it is removed. */
    add(generation: Generation): void {
      generations.set(generation.conversationId, generation);
      options.share?.started(generation.conversationId, generation.messageId);
      if (!ticker) {
        ticker = setInterval(checkpoint, checkpointMs);
        // The ticker never keeps the process alive on its own: shutdown commits every answer anyway.
        ticker.unref();
      }
    },

    /** Forgets an answer once its final row is committed. */
    remove(conversationId: string): void {
      const generation = generations.get(conversationId);
      if (generation) options.share?.ended(conversationId, generation.messageId);
      generations.delete(conversationId);
      if (generations.size === 0) stopTicker();
    },

    /** Somebody is watching the conversation again: keep its answer going. */
    watcherJoined(conversationId: string): void {
      const t = graceTimers.get(conversationId);
      if (t) clearTimeout(t);
      graceTimers.delete(conversationId);
    },

    /** Nobody is watching: stop the answer after a grace period that covers reloads and short drops. */
    watchersLeft(conversationId: string): void {
      if (!generations.has(conversationId) || graceTimers.has(conversationId)) return;
      graceTimers.set(
        conversationId,
        setTimeout(() => {
          void (async () => {
            // Asked first, so a watcher on another node keeps the answer; an unanswerable question stops it.
            const isWatched = options.hasWatchers ? await options.hasWatchers(conversationId).catch(() => false) : false;
            graceTimers.delete(conversationId);
            const generation = generations.get(conversationId);
            if (generation && !isWatched) {
              log.info({ conversationId, messageId: generation.messageId }, 'nobody listening: stopping the answer');
              generation.controller.abort(new StopSignal('disconnected'));
            }
          })();
        }, options.disconnectGraceMs()),
      );
    },

    /** The shared registry of every node's answers, when there are several nodes. */
    share: options.share,

    /** Tells the other nodes that an answer's phase changed (several nodes only). */
    phaseChanged(generation: Generation): void {
      options.share?.phaseChanged(generation);
    },

    /** Tells the other nodes that an answer sent more text (several nodes only). */
    appended(event: DeltaEvent): void {
      options.share?.appended(event);
    },

    /** Stops every answer and waits until each is committed (graceful shutdown). */
    async shutdown(): Promise<void> {
      stopTicker();
      for (const t of graceTimers.values()) clearTimeout(t);
      graceTimers.clear();
      const pending = [...generations.values()];
      for (const g of pending) g.controller.abort(new StopSignal('shutdown'));
      await Promise.all(pending.map((g) => g.done));
    },
  };
}

/** The registry of live generations of one chat service. */
export type LiveGenerations = ReturnType<typeof createLiveGenerations>;

/**
 * The streamed text of one generation: coalesced into deltas that carry their offset (recorded in
 * `generation.emitted`, which the registry's checkpoint saves once a second).
 */
export function createLiveText(options: { generation: Generation; coalesceMs: number; emit: (event: DeltaEvent) => void }) {
  const { generation } = options;
  const { conversationId, messageId } = generation;
  const coalescer = new DeltaCoalescer(options.coalesceMs, (text) => {
    const offset = generation.emitted.length;
    generation.emitted += text;
    options.emit({ conversationId, messageId, offset, text });
  });
  return {
    push: (text: string) => coalescer.push(text),
    /** Sends pending text now (before tool calls run). */
    flush: () => coalescer.flush(),
    /** Sends what is pending and stops the timer. */
    finish(): void {
      coalescer.flush();
      coalescer.dispose();
    },
  };
}
