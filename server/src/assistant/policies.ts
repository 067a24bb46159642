import { z } from 'zod';
import type { LoadedConfig } from '../config/loadConfig';
import type { LlmTool } from '../llm/types';

/**
 * The shop's own policies (shipping, returns, warranty…) as the model reads them: through the
 * get_policy tool, whose result is the policy text marked as data. Answers about policies are grounded
 * in that text, and the stored trace shows which policy an answer used.
 */

/** The tool's name, as the model calls it and the trace stores it. */
export const POLICY_TOOL_NAME = 'get_policy';

/** The policy texts in force: file ones as read at load, inline ones from the config itself. */
export function shopPolicies(loaded: LoadedConfig): Record<string, string> {
  if (loaded.policies) return loaded.policies;
  // A config built without a file to resolve against (tests, tools): only inline texts exist.
  return Object.fromEntries(
    Object.entries(loaded.config.shop.policies).flatMap(([name, source]) => (typeof source === 'string' ? [[name, source]] : [])),
  );
}

/** The get_policy tool for the configured topics; not offered at all when there are none. */
export function policyTool(topics: readonly string[]): LlmTool {
  return {
    type: 'function',
    function: {
      name: POLICY_TOOL_NAME,
      description: `Get the shop's own policy on one topic (${topics.join(', ')}). Answer policy questions only from it.`,
      parameters: {
        type: 'object',
        properties: { topic: { type: 'string', enum: [...topics], description: `One of: ${topics.join(', ')}` } },
        required: ['topic'],
      },
    },
  };
}

const policyArgsSchema = z.object({ topic: z.string().trim().toLowerCase().min(1).max(80) });

/**
 * The configured topic the model meant: the exact name, else the one name its words contain or start
 * (small models write "return policy" or "return" for "returns").
 */
export function matchTopic(asked: string, topics: readonly string[]): string | null {
  if (topics.includes(asked)) return asked;
  const words = asked.split(/[^a-z0-9-]+/).filter(Boolean);
  const hits = topics.filter((t) => words.some((w) => w === t || (w.length >= 4 && t.startsWith(w))));
  return hits.length === 1 ? (hits[0] ?? null) : null;
}

/** What one get_policy call gives the model, and what its trace keeps. */
export interface PolicyRun {
  payload: Record<string, unknown>;
  error: string | null;
  /** The policy used, with its text at that moment (the grounding check reads it). */
  policy: { topic: string; text: string } | null;
}

/** Runs get_policy against the policies in force. */
export function runPolicyTool(args: Record<string, unknown>, policies: Readonly<Record<string, string>>): PolicyRun {
  const topics = Object.keys(policies);
  const parsed = policyArgsSchema.safeParse(args);
  if (!parsed.success) {
    const error = 'invalid arguments: topic is required';
    return { payload: { error, topics }, error, policy: null };
  }
  const topic = matchTopic(parsed.data.topic, topics);
  const text = topic === null ? undefined : policies[topic];
  if (topic === null || text === undefined) {
    const error = `the shop has no policy on "${parsed.data.topic}"`;
    return {
      payload: {
        error,
        topics,
        note: 'Tell the shopper the shop has not published a policy on that; suggest contacting the shop.',
      },
      error,
      policy: null,
    };
  }
  return { payload: { topic, policy: text }, error: null, policy: { topic, text } };
}
