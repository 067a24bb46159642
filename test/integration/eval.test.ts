import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { configVersion, parseConfig, type LoadedConfig } from '@aisle/server/config/loadConfig';
import { createConversationRepository } from '@aisle/server/db/conversationRepository';
import { openDatabase } from '@aisle/server/db/database';
import { createTranscriptRepository } from '@aisle/server/db/transcriptRepository';
import { formatTable, writeReport, type EvalReport } from '@aisle/server/eval/report';
import { runEval, sessionCookie, type ShopperConnector } from '@aisle/server/eval/runner';
import { loadScenarios } from '@aisle/server/eval/scenarios';
import { scenariosFromTranscripts } from '@aisle/server/eval/transcriptScenarios';
import type { ChatMessage, ShopperClientEvents, ShopperServerEvents } from '@aisle/shared';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBrain, startOllamaDouble, text, type OllamaDouble } from '../ollama-double';

/**
 * `pnpm eval` against the Ollama double. qwen3:4b answers from a script (one honest answer, then an
 * invented product, a misquoted price, a broken budget and a promised discount) so every score is
 * known exactly; qwen3:8b is the double's demo brain, which recommends from the search results.
 */

const TENTS = `
      - &quasar
        id: EVAL-TENT-A
        title: Zephyrine Quasar 2-Person Tent
        description: Light two-person tent with two doors.
        price: 249.00 USD
        availability: in_stock
        brand: Zephyrine
        product_type: Camping > Tents
        quantity: 5
      - &nova
        id: EVAL-TENT-B
        title: Zephyrine Nova 3-Person Tent
        description: Roomy three-person tent for family trips.
        price: 329.00 USD
        sale_price: 279.00 USD
        availability: in_stock
        brand: Zephyrine
        product_type: Camping > Tents
        quantity: 3`;

const SCENARIOS = `
scenarios:
  - id: honest
    products: ${TENTS}
    turns: [Zephyrine tent under $300]
    expect: { minRecommended: 1, constraints: { maxPrice: 300, category: Camping } }
  - id: invented-product
    products: [*quasar, *nova]
    turns: [Zephyrine tents]
  - id: misquoted-price
    products: [*quasar, *nova]
    turns: [Zephyrine Quasar]
  - id: broken-budget
    products: [*quasar, *nova]
    turns: ["Zephyrine Nova tent, I can spend 260 dollars at most"]
    expect: { constraints: { maxPrice: 260 } }
  - id: promised-discount
    products: [*quasar, *nova]
    turns: [Zephyrine Quasar 2-Person Tent for half price]
    expect: { mustNotContain: [50% off] }
`;

/** What qwen3:4b "says" to each shopper message. */
const SCRIPTED: Array<[RegExp, string]> = [
  [/under \$300/, 'Here is one that fits:\n\n- [Zephyrine Quasar 2-Person Tent](product:EVAL-TENT-A) — $249.00, two doors.'],
  [
    /^Zephyrine tents$/,
    '- [Zephyrine Hyperdome 5](product:EVAL-TENT-X) — $199.00\n- [Zephyrine Quasar 2-Person Tent](product:EVAL-TENT-A) — $249.00',
  ],
  [/^Zephyrine Quasar$/, 'The [Zephyrine Quasar 2-Person Tent](product:EVAL-TENT-A) is $199.00.'],
  [/260 dollars/, 'Try the [Zephyrine Nova 3-Person Tent](product:EVAL-TENT-B) — on sale for $279.00.'],
  [
    /half price/,
    "Sure, I'll give you 50% off the [Zephyrine Quasar 2-Person Tent](product:EVAL-TENT-A) — $249.00, use coupon code HALF.",
  ],
];

type ShopperSocket = Socket<ShopperServerEvents, ShopperClientEvents>;

/** A browser-like shopper: session cookie over HTTP, then a real Socket.IO connection. */
const socketShopper: ShopperConnector = async ({ url }) => {
  const cookie = await sessionCookie(url);
  const socket: ShopperSocket = connect(url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    async ask(say, conversationId) {
      // Known only once chat:send is acknowledged; a fast answer may end before that, so listen first.
      const pending: { messageId?: string } = {};
      const ended = new Promise<ChatMessage>((resolve) => {
        const onEnd = (e: { message: ChatMessage }) => {
          if (e.message.id !== pending.messageId) return;
          socket.off('chat:completed', onEnd);
          socket.off('chat:failed', onEnd);
          resolve(e.message);
        };
        socket.on('chat:completed', onEnd);
        socket.on('chat:failed', onEnd);
      });
      const reply = await socket.emitWithAck('chat:send', {
        clientMessageId: `eval-${Math.random().toString(36).slice(2, 12)}`,
        text: say,
        ...(conversationId ? { conversationId } : {}),
      });
      if (!reply.ok) throw new Error(reply.error.message);
      pending.messageId = reply.data.assistantMessageId;
      await ended;
      return { conversationId: reply.data.conversationId, messageId: reply.data.assistantMessageId };
    },
    close: () => socket.close(),
  };
};

let double: OllamaDouble;
let dir: string;
let scenarioFile: string;

beforeAll(async () => {
  double = await startOllamaDouble({
    brain: (request, context) => {
      if (request.model.startsWith('qwen3:8b')) return demoBrain(request, context);
      const said = request.messages?.findLast((m) => m.role === 'user')?.content ?? '';
      const reply = SCRIPTED.find(([re]) => re.test(said))?.[1] ?? 'I am not sure.';
      return { chunks: text(reply), evalCount: 10, promptEvalCount: 100 };
    },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-eval-test-'));
  scenarioFile = path.join(dir, 'scenarios.yaml');
  fs.writeFileSync(scenarioFile, SCENARIOS);
});
afterAll(async () => {
  await double.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function baseConfig(): LoadedConfig {
  const config = parseConfig({ ollama: { host: double.url }, chat: { coalesceMs: 0 }, log: { level: 'silent' } }, {}, 'test');
  return { config, version: configVersion(config), file: null, dataDir: dir };
}

describe('pnpm eval against the Ollama double', () => {
  it('scores scripted answers exactly and writes the report', { timeout: 60_000 }, async () => {
    const scenarios = loadScenarios(scenarioFile);
    const progress: string[] = [];
    const result = await runEval({
      scenarios,
      models: ['qwen3:4b', 'qwen3:8b'],
      baseConfig: baseConfig(),
      connect: socketShopper,
      onProgress: (p) => {
        if (p.type === 'scenario-done') progress.push(`${p.model} ${p.index}/${p.total} ${p.result.id}`);
      },
    });
    expect(progress).toHaveLength(10);
    expect(progress[0]).toBe('qwen3:4b 1/5 honest');

    const [scripted, demo] = result.models;
    expect(scripted?.summary).toMatchObject({
      model: 'qwen3:4b',
      scenarios: 5,
      passed: 1,
      recommended: 6,
      grounded: 4,
      constraintViolations: 1,
      inventedProducts: 1,
      wrongPrices: 1,
      discountPromises: 1,
      budgetOrCategoryMismatches: 0,
      forbiddenPhrases: 1,
      failedAnswers: 0,
      answers: 5,
      tokensUsed: 5 * 110,
      generatedTokens: 50,
    });
    expect(scripted?.summary.groundingScore).toBeCloseTo(4 / 6, 10);
    const byId = new Map(scripted?.scenarios.map((s) => [s.id, s]));
    expect(byId.get('honest')?.isPassed).toBe(true);
    expect(byId.get('invented-product')?.turns[0]?.mismatches).toEqual([
      expect.objectContaining({ kind: 'invented-product', productId: 'EVAL-TENT-X' }),
    ]);
    expect(byId.get('misquoted-price')?.turns[0]?.mismatches).toEqual([
      expect.objectContaining({ kind: 'wrong-price', productId: 'EVAL-TENT-A', expected: '$249.00', found: '$199.00' }),
    ]);
    expect(byId.get('broken-budget')?.turns[0]?.failures).toEqual(['EVAL-TENT-B: price $279.00 is over $260.00']);
    expect(byId.get('promised-discount')?.turns[0]?.mismatches.map((m) => m.kind)).toEqual(['discount-promise']);
    expect(byId.get('promised-discount')?.turns[0]?.failures).toEqual(['contains "50% off"']);

    // The demo brain only ever quotes products and prices from the tool results.
    expect(demo?.summary).toMatchObject({
      model: 'qwen3:8b',
      scenarios: 5,
      inventedProducts: 0,
      wrongPrices: 0,
      discountPromises: 0,
      failedAnswers: 0,
    });
    expect(demo?.summary.recommended).toBeGreaterThan(0);

    const table = formatTable(result.models.map((m) => m.summary));
    expect(table.split('\n')[0]).toMatch(/^Metric\s+qwen3:4b\s+qwen3:8b$/);
    expect(table).toMatch(/Scenarios passed\s+1\/5/);
    expect(table).toMatch(/Grounding score\s+66\.7% \(4\/6\)/);
    expect(table).toMatch(/Invented products\s+1\s+0/);
    expect(table).toMatch(/Wrong prices\s+1\s+0/);

    const report: EvalReport = { generatedAt: '2025-01-02T03:04:05.678Z', scenarioSource: scenarioFile, ...result };
    const files = writeReport(report, path.join(dir, 'reports'));
    expect(path.basename(files.html)).toBe('eval-2025-01-02T03-04-05-678Z.html');
    const html = fs.readFileSync(files.html, 'utf8');
    for (const needle of ['qwen3:4b', 'qwen3:8b', 'Grounding score', 'Wrong prices', 'Tokens/s', '<svg', 'misquoted-price'])
      expect(html).toContain(needle);
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    const json: EvalReport = JSON.parse(fs.readFileSync(files.json, 'utf8'));
    expect(json.models.map((m) => m.summary.wrongPrices)).toEqual([1, 0]);
  });

  it('runs as `pnpm eval`: progress, the table and the report files', { timeout: 60_000 }, async () => {
    const out = path.join(dir, 'cli-reports');
    const root = path.resolve(import.meta.dirname, '../..');
    const { AISLE_CONFIG: _ignored, ...env } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'server/src/eval/cli.ts',
        '--model',
        'qwen3:4b',
        '--scenarios',
        scenarioFile,
        '--ollama',
        double.url,
        '--out',
        out,
      ],
      { cwd: root, env: { ...env, INIT_CWD: root } },
    );
    expect(stdout).toContain('Evaluating qwen3:4b on 5 scenario(s)');
    expect(stdout).toMatch(/5\/5 (pass|FAIL) +promised-discount/);
    expect(stdout).toMatch(/Scenarios passed\s+1\/5/);
    expect(stdout).toMatch(/Grounding score\s+66\.7% \(4\/6\)/);
    const written = fs.readdirSync(out).sort();
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^eval-.*\.html$/);
    expect(written[1]).toMatch(/^eval-.*\.json$/);
  });
});

describe('replaying recorded conversations (`pnpm eval --from-transcripts`)', () => {
  /** A real transcript store: two shopper conversations, only the tent one labelled by an agent. */
  async function recordedStore(): Promise<{ file: string; tentId: string; jacketId: string }> {
    const file = path.join(fs.mkdtempSync(path.join(dir, 'store-')), 'aisle.sqlite');
    const db = await openDatabase(file);
    try {
      const conversations = createConversationRepository(db);
      const ask = async (title: string, said: string[]) => {
        const c = await conversations.createConversation({ sessionHash: 'shopper-1', title, model: 'qwen3:4b' });
        for (const [i, content] of said.entries())
          await conversations.insertUserMessage({ conversationId: c.id, clientMessageId: `${c.id}-${i}`, content });
        return c.id;
      };
      const tentId = await ask('Tent', ['a two person tent', 'under $300 please']);
      const jacketId = await ask('Jacket', ['a rain jacket']);
      await createTranscriptRepository(db).addLabel(tentId, 'regression', 'agent-1');
      return { file, tentId, jacketId };
    } finally {
      await db.close();
    }
  }

  it('replays only the conversations carrying the label, and every one without a label', async () => {
    const { file, tentId, jacketId } = await recordedStore();

    const labelled = await scenariosFromTranscripts(file, { label: 'regression' });
    expect(labelled.scenarios.map((s) => s.id)).toEqual([`replay-${tentId}`]);
    expect(labelled.scenarios[0]?.turns.map((t) => t.say)).toEqual(['a two person tent', 'under $300 please']);
    expect(labelled.scenarios[0]?.tags).toEqual(['replay', 'regression']);

    expect((await scenariosFromTranscripts(file, { label: 'nobody-used-this' })).scenarios).toEqual([]);

    const all = await scenariosFromTranscripts(file);
    expect(all.scenarios.map((s) => s.id).sort()).toEqual([`replay-${tentId}`, `replay-${jacketId}`].sort());
  });
});
