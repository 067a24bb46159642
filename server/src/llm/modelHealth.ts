import type { Health } from '@aisle/shared';
import { LlmError } from './llmErrors';
import type { ChatBackend } from './chatBackend';
import { isSameModel } from './ollamaClient';

/**
 * Checks that Ollama answers and that the chat model is pulled. Results are cached briefly because the
 * UI polls this while something is wrong.
 */
export function createModelHealth(deps: { gateway: () => ChatBackend; model: () => string; productCount: () => Promise<number>; cacheMs?: number }) {
  let cached: { at: number; key: string; value: Health } | null = null;
  const cacheMs = deps.cacheMs ?? 2000;

  return {
    async check(options: { fresh?: boolean } = {}): Promise<Health> {
      const gateway = deps.gateway();
      const model = deps.model();
      const key = `${gateway.host}|${model}`;
      if (!options.fresh && cached && cached.key === key && Date.now() - cached.at < cacheMs) return cached.value;
      const pullCommand = `ollama pull ${model}`;
      let version: string | null = null;
      let error: string | null = null;
      let available: boolean | null = null;
      try {
        version = await gateway.version();
        const models = await gateway.listModels();
        available = models.some((m) => isSameModel(m.name, model));
      } catch (err) {
        error = err instanceof LlmError ? `${err.message}${err.hint ? ` ${err.hint}` : ''}` : String(err);
      }
      const value: Health = {
        ok: version !== null && available === true,
        ollama: { host: gateway.host, reachable: version !== null, version, error },
        model: { name: model, available, pullCommand },
        catalogue: { products: await deps.productCount() },
      };
      cached = { at: Date.now(), key, value };
      return value;
    },
  };
}

export type ModelHealth = ReturnType<typeof createModelHealth>;
