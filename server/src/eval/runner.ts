import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShopperLocale } from '@aisle/shared';
import { z } from 'zod';
import { createApp, type App } from '../app';
import { checkGrounding, type GroundingProduct } from '../assistant/groundingCheck';
import { storedConstraints } from '../chat/messagePresenter';
import type { ToolTrace } from '../assistant/tools';
import { loadDemoCatalogueIfEmpty } from '../catalogue/demoCatalogue';
import { parseMerchantRow } from '../catalogue/import/merchantFeed';
import { configVersion, parseConfig, type LoadedConfig } from '../config/loadConfig';
import { createConversationRepository } from '../db/conversationRepository';
import { copyDatabaseFile, databaseFile, openDatabase } from '../db/database';
import { createCatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { createProductRepository } from '../db/productRepository';
import { hashToken, tokenFromCookieHeader } from '../http/shopperSession';
import { createLogger } from '../logger';
import { languageFailure } from './answerLanguage';
import type { Scenario } from './scenarios';
import { scenarioResult, scoreTurn, summarise, type ModelSummary, type ScenarioResult, type TurnResult } from './scoring';

/** A shopper talking to the server under evaluation. */
export interface EvalShopper {
  /** Sends a message and resolves once its answer has ended (committed, whatever its status). */
  ask(text: string, conversationId?: string, locale?: ShopperLocale): Promise<{ conversationId: string; messageId: string }>;
  close(): void;
}

/** Connects a shopper to a running app (over Socket.IO in tests; see `inProcessShopper`). */
export type ShopperConnector = (target: { app: App; url: string }) => Promise<EvalShopper>;

/** Gets a real session cookie over HTTP, as a browser does. */
export async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/api/session`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (!tokenFromCookieHeader(cookie)) throw new Error(`no session cookie from ${url}/api/session`);
  return cookie;
}

/**
 * A shopper that goes through the chat service in the same process: a real session from the HTTP API,
 * then the same `send` the socket handler calls, waiting until the answer is committed. Used when
 * socket.io-client is not available to the server package.
 */
export const inProcessShopper: ShopperConnector = async ({ app, url }) => {
  const hash = hashToken(tokenFromCookieHeader(await sessionCookie(url)) ?? '');
  return {
    async ask(text, conversationId, locale) {
      const reply = await app.chat.send(hash, {
        clientMessageId: randomUUID(),
        text,
        ...(conversationId ? { conversationId } : {}),
        ...(locale ? { locale } : {}),
      });
      if (!reply.ok) throw new Error(`chat:send refused: ${reply.error.code} ${reply.error.message}`);
      // The service has no completion hook outside the socket room; the row is committed before this flips.
      while (app.chat.isGenerating(reply.data.conversationId)) await sleep(20);
      return { conversationId: reply.data.conversationId, messageId: reply.data.assistantMessageId };
    },
    close: () => undefined,
  };
};

/** Progress of a run, for the console. */
export type EvalProgress =
  | { type: 'model-start'; model: string; scenarios: number }
  | { type: 'scenario-done'; model: string; index: number; total: number; result: ScenarioResult; ms: number }
  | { type: 'model-done'; model: string; summary: ModelSummary };

export interface EvalRunOptions {
  scenarios: readonly Scenario[];
  models: readonly string[];
  /** The config to start from (usually `loadConfig()`); the model and eval-only settings are overridden. */
  baseConfig: LoadedConfig;
  /** Ollama to use instead of the config's. */
  ollamaHost?: string;
  /** A SQLite file whose catalogue to use (copied, never written); default: the demo catalogue. */
  catalogueFrom?: string;
  connect?: ShopperConnector;
  onProgress?: (p: EvalProgress) => void;
}

export interface EvalRunResult {
  models: Array<{ model: string; summary: ModelSummary; scenarios: ScenarioResult[] }>;
  ollamaHost: string;
  configVersion: string;
}

/** The stored tool trace of an answer (the JSON in messages.tool_calls). */
const toolTracesSchema = z.array(
  z.object({
    id: z.string().nullable(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()),
    products: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        priceMinor: z.number(),
        salePriceMinor: z.number().nullable(),
        currency: z.string(),
        availability: z.string(),
        stock: z.number().nullable(),
      }),
    ),
    error: z.string().nullable(),
    durationMs: z.number(),
    origin: z.enum(['model', 'prefetch']),
  }) satisfies z.ZodType<ToolTrace>,
);

/** Builds the catalogue every scenario starts from, once per run. */
async function prepareBase(catalogueFrom: string | undefined): Promise<{ dir: string; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-eval-base-'));
  const file = catalogueFrom ? copyDatabaseFile(catalogueFrom, dir) : databaseFile({ dataDir: dir });
  const db = await openDatabase(file);
  try {
    await loadDemoCatalogueIfEmpty(createProductRepository(db), createCatalogueSourceRepository(db));
  } finally {
    // Closing the last connection checkpoints the WAL into the file, so copies of it are complete.
    await db.close();
  }
  return { dir, file };
}

function evalConfig(base: LoadedConfig, model: string, dataDir: string, ollamaHost: string): LoadedConfig {
  const c = structuredClone(base.config);
  const config = parseConfig(
    {
      ...c,
      dataDir,
      server: { ...c.server, host: '127.0.0.1', port: 0 },
      ollama: { ...c.ollama, host: ollamaHost },
      // Every scenario has its own shopper; the per-session limit must not throttle a long run.
      chat: { ...c.chat, model, messagesPerMinute: 1000 },
      catalogue: { loadDemoWhenEmpty: false },
      log: { level: 'silent' },
    },
    {},
    'eval',
  );
  return { config, version: configVersion(config), file: base.file, dataDir };
}

/** Runs one scenario on a fresh copy of the catalogue through the real server. */
async function runScenario(
  scenario: Scenario,
  model: string,
  baseFile: string,
  options: EvalRunOptions,
  ollamaHost: string,
): Promise<ScenarioResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-eval-'));
  copyDatabaseFile(baseFile, dataDir);
  const loaded = evalConfig(options.baseConfig, model, dataDir, ollamaHost);
  const app = await createApp({ config: () => loaded, logger: createLogger('silent'), clientDist: null });
  let shopper: EvalShopper | null = null;
  try {
    if (scenario.products.length > 0) {
      const parsed = scenario.products.map((row, i) => {
        const r = parseMerchantRow(row);
        if (!r.ok) throw new Error(`scenario ${scenario.id}: products[${i}]: ${r.reasons.join('; ')}`);
        return r.record;
      });
      await app.products.upsertMany(parsed);
    }
    const url = await app.listen(0, '127.0.0.1');
    shopper = await (options.connect ?? inProcessShopper)({ app, url });
    const messages = createConversationRepository(app.db);
    const lookup = (ids: string[]) => app.products.getCards(ids);

    const turns: TurnResult[] = [];
    const shown: string[] = [];
    let conversationId: string | undefined;
    for (const turn of scenario.turns) {
      const asked = await shopper.ask(turn.say, conversationId, scenario.locale);
      conversationId = asked.conversationId;
      const row = await messages.getMessage(asked.messageId);
      if (!row) throw new Error(`scenario ${scenario.id}: answer ${asked.messageId} was not stored`);
      const parsedTraces = toolTracesSchema.safeParse(row.tool_calls ? JSON.parse(row.tool_calls) : []);
      const traces = parsedTraces.success ? parsedTraces.data : [];
      const report = await checkGrounding({
        answer: row.content,
        traces,
        lookup,
        // What the answer itself held its products to, as the shopper would see it in the chips.
        constraints: storedConstraints(row) ?? { features: [] },
        earlierProductIds: shown,
      });
      const catalogue = new Map<string, GroundingProduct>((await lookup(report.recommendedIds)).map((p) => [p.id, p]));
      const scored = scoreTurn({
        say: turn.say,
        answer: row.content,
        recommendedIds: report.recommendedIds,
        catalogue,
        mismatches: report.mismatches,
        expect: turn.expect,
        mustNotContain: scenario.mustNotContain,
        understood: storedConstraints(row),
        metrics: {
          status: row.status,
          errorCode: row.error_code,
          firstTokenMs: row.first_token_ms,
          totalMs: row.total_ms,
          promptEvalCount: row.prompt_eval_count ?? 0,
          evalCount: row.eval_count ?? 0,
          evalDurationNs: row.eval_duration_ns ?? 0,
        },
      });
      // A non-English scenario also asks for the answer in the shopper's language.
      const wrongLanguage =
        scenario.locale === 'en' || row.status === 'error' ? null : languageFailure(row.content, scenario.locale);
      if (wrongLanguage !== null) scored.failures.push(wrongLanguage);
      turns.push(scored);
      shown.push(...catalogue.keys());
    }
    return scenarioResult(scenario.id, scenario.description, turns, scenario.locale);
  } finally {
    shopper?.close();
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs every scenario against every model through the real server pipeline (createApp with a copy
 * of the catalogue, a shopper session, `chat:send`, the stored answer row) and scores the answers.
 */
export async function runEval(options: EvalRunOptions): Promise<EvalRunResult> {
  const ollamaHost = options.ollamaHost ?? options.baseConfig.config.ollama.host;
  const base = await prepareBase(options.catalogueFrom);
  const models: EvalRunResult['models'] = [];
  try {
    for (const model of options.models) {
      options.onProgress?.({ type: 'model-start', model, scenarios: options.scenarios.length });
      const results: ScenarioResult[] = [];
      for (const [index, scenario] of options.scenarios.entries()) {
        const started = performance.now();
        const result = await runScenario(scenario, model, base.file, options, ollamaHost);
        results.push(result);
        options.onProgress?.({
          type: 'scenario-done',
          model,
          index: index + 1,
          total: options.scenarios.length,
          result,
          ms: performance.now() - started,
        });
      }
      const summary = summarise(model, results);
      options.onProgress?.({ type: 'model-done', model, summary });
      models.push({ model, summary, scenarios: results });
    }
  } finally {
    fs.rmSync(base.dir, { recursive: true, force: true });
  }
  return { models, ollamaHost, configVersion: options.baseConfig.version };
}
