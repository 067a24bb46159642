import type { AnswerSettings } from '../assistant/answerRunner';
import type { LoadedConfig } from '../config/loadConfig';
import { resolveModelSettings } from '../config/modelSettings';
import type { ConversationRow } from '../db/conversationRepository';

/**
 * Which model answers: the experiment arm a new conversation is routed to (by an injectable random
 * source, so tests can seed it), the model of an existing conversation, and that model's settings.
 */

/** The experiment arm of a new conversation and the model it is answered by. */
export interface ArmChoice {
  name: string;
  arm: 'control' | 'candidate';
  model: string;
}

/** Settings for one answer from one reading of the config: the model's own entry over the chat defaults. */
export function settingsFor(loaded: LoadedConfig, model: string): AnswerSettings {
  const { chat, ollama } = loaded.config;
  const m = resolveModelSettings(loaded.config, model);
  return {
    model: m.model,
    think: m.think,
    keepAlive: m.keepAlive,
    options: m.options,
    maxToolRounds: chat.maxToolRounds,
    prefetchProducts: chat.prefetchProducts,
    firstTokenTimeoutMs: ollama.firstTokenTimeoutMs,
    idleTimeoutMs: ollama.idleTimeoutMs,
    busyRetries: ollama.busyRetries,
    busyRetryBaseMs: ollama.busyRetryBaseMs,
  };
}

/**
 * The model that answers a conversation: the experiment's candidate for conversations routed to it
 * while that experiment runs, otherwise the configured chat model (so a config edit applies to the
 * next answer).
 */
export function modelFor(conversation: Pick<ConversationRow, 'arm' | 'experiment'>, loaded: LoadedConfig): string {
  const experiment = loaded.config.experiment;
  if (conversation.arm === 'candidate' && experiment && experiment.name === conversation.experiment) return experiment.candidate;
  return loaded.config.chat.model;
}

/**
 * Picks the arm of a new conversation when an experiment runs: the candidate when `random()` (in
 * [0, 1)) falls below the experiment's share. Null when no experiment runs.
 */
export function assignArm(loaded: LoadedConfig, random: () => number = Math.random): ArmChoice | null {
  const experiment = loaded.config.experiment;
  if (!experiment) return null;
  const isCandidate = random() < experiment.share;
  return {
    name: experiment.name,
    arm: isCandidate ? 'candidate' : 'control',
    model: isCandidate ? experiment.candidate : loaded.config.chat.model,
  };
}
