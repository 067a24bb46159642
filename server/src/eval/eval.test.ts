import type { ShopperConstraints } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import type { GroundingProduct } from '../assistant/groundingCheck';
import { formatTable, renderHtml, type EvalReport } from './report';
import { parseScenarios, ScenarioError, type Expectation } from './scenarios';
import { scenarioResult, scoreTurn, summarise, type AnswerMetrics } from './scoring';

const metrics: AnswerMetrics = {
  status: 'complete',
  errorCode: null,
  firstTokenMs: 400,
  totalMs: 900,
  promptEvalCount: 100,
  evalCount: 50,
  evalDurationNs: 1e9,
};
const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const TENT: GroundingProduct = {
  id: 'TNT-1-GRN',
  title: 'Quasar Tent',
  brand: 'Z',
  category: 'Camping',
  price: usd(34900),
  salePrice: usd(27900),
  availability: 'in_stock',
};
const BOOT: GroundingProduct = {
  id: 'HKB-2-44',
  title: 'Stac Boot',
  brand: 'H',
  category: 'Shoes',
  price: usd(19599),
  salePrice: null,
  availability: 'preorder',
};
const catalogue = new Map([TENT, BOOT].map((p) => [p.id, p]));

describe('scenario files', () => {
  it('attaches scenario expectations to the last turn and keeps forbidden phrases for every turn', () => {
    const [s] = parseScenarios(`
scenarios:
  - id: follow-up
    turns:
      - tents
      - say: cheaper?
        expect: { constraints: { maxPrice: 100 } }
    expect: { minRecommended: 1, mustNotContain: [coupon] }
`);
    expect(s?.turns.map((t) => t.say)).toEqual(['tents', 'cheaper?']);
    expect(s?.turns[0]?.expect).toBeNull();
    expect(s?.turns[1]?.expect).toMatchObject({ minRecommended: 1, constraints: { maxPrice: 100 } });
    expect(s?.mustNotContain).toEqual(['coupon']);
  });

  it('names the bad field of a broken file', () => {
    const parse = () => parseScenarios('scenarios:\n  - id: ok\n    turns: [hi]\n    expect: { maxPrize: 3 }\n', 'x.yaml');
    expect(parse).toThrow(ScenarioError);
    expect(parse).toThrow('scenarios.0.expect: Unrecognized key: "maxPrize"');
  });
});

describe('scoring', () => {
  it('counts only existing products that meet every constraint as grounded', () => {
    const turn = scoreTurn({
      say: 'a tent under $300 in stock',
      answer: 'x',
      recommendedIds: ['TNT-1-GRN', 'HKB-2-44', 'GHOST-1'],
      catalogue,
      mismatches: [{ kind: 'invented-product', text: 'Nimbus Dome', found: 'Nimbus Dome' }],
      expect: {
        mustRecommend: ['TNT-1'],
        mustRecommendAny: [],
        mustNotRecommend: ['HKB-2'],
        constraints: { maxPrice: 300, inStock: true },
        mustNotContain: [],
        mustContainAny: [],
      },
      mustNotContain: [],
      metrics,
    });
    expect(turn.recommended.map((r) => [r.id, r.isInCatalogue, r.violations.length])).toEqual([
      ['TNT-1-GRN', true, 0],
      ['HKB-2-44', true, 1],
      ['GHOST-1', false, 0],
      ['Nimbus Dome', false, 0],
    ]);
    expect(turn.failures).toEqual(['recommended HKB-2, which it must not', 'HKB-2-44: availability is preorder']);
    const summary = summarise('m', [scenarioResult('s', '', [turn])]);
    expect(summary).toMatchObject({
      recommended: 4,
      grounded: 1,
      groundingScore: 0.25,
      constraintViolations: 1,
      inventedProducts: 1,
      passed: 0,
      tokensPerSecond: 50,
      tokensUsed: 150,
      ttftMedianMs: 400,
    });
  });

  it('reports "n/a" rather than a perfect score when nothing was recommended', () => {
    const turn = scoreTurn({
      say: 'hi',
      answer: 'Hello!',
      recommendedIds: [],
      catalogue,
      mismatches: [],
      expect: null,
      mustNotContain: ['secret'],
      metrics,
    });
    const summary = summarise('m', [scenarioResult('s', '', [turn])]);
    expect(summary.groundingScore).toBeNull();
    expect(formatTable([summary])).toMatch(/Grounding score\s+n\/a/);
  });
});

describe('constraint understanding', () => {
  const expectUnderstood = (understood: NonNullable<Expectation['understood']>): Expectation => ({
    mustRecommend: [],
    mustRecommendAny: [],
    mustNotRecommend: [],
    constraints: {},
    understood,
    mustNotContain: [],
    mustContainAny: [],
  });

  it('scores precision and recall of the understood constraints per model, in the table and the HTML report', () => {
    const turn = (understood: ShopperConstraints | undefined, expected: NonNullable<Expectation['understood']>) =>
      scoreTurn({
        say: 's',
        answer: 'a',
        recommendedIds: [],
        catalogue,
        mismatches: [],
        expect: expectUnderstood(expected),
        mustNotContain: [],
        metrics,
        ...(understood ? { understood } : {}),
      });
    const expected = { category: 'Shoes', priceMax: 120, size: '44', features: ['waterproof'] };
    // Found 3 of the 4 expected items and one that was not asked for (colour).
    const good = turn({ category: 'shoes', priceMax: 120, size: '44', colour: 'Black', features: [], subject: 'x' }, expected);
    expect(good.understanding).toEqual({
      expected: ['category=shoes', 'priceMax=120', 'size=44', 'features=waterproof'],
      found: ['category=shoes', 'priceMax=120', 'size=44', 'colour=black'],
      matched: ['category=shoes', 'priceMax=120', 'size=44'],
    });
    const strong = summarise('strong', [scenarioResult('s', '', [good])]);
    expect(strong).toMatchObject({ constraintPrecision: 0.75, constraintRecall: 0.75 });
    // A model whose answers stored nothing understood: nothing found, so no precision penalty and no recall.
    const weak = summarise('weak', [scenarioResult('s', '', [turn(undefined, expected)])]);
    expect(weak).toMatchObject({ constraintPrecision: 1, constraintRecall: 0 });
    // Scenarios that say nothing about understanding leave both unscored.
    expect(summarise('none', []).constraintRecall).toBeNull();

    const table = formatTable([strong, weak]);
    expect(table).toMatch(/Constraint precision\s+75\.0%\s+100\.0%/);
    expect(table).toMatch(/Constraint recall\s+75\.0%\s+0\.0%/);
  });

  it('reads the expected constraints from a scenario file, refusing unknown fields', () => {
    const [s] = parseScenarios(
      'scenarios:\n  - id: u\n    turns: [shoes size 44]\n    expect: { understood: { category: Shoes, size: 44 } }\n',
      'x.yaml',
    );
    expect(s?.turns[0]?.expect?.understood).toEqual({ category: 'Shoes', size: '44' });
    expect(() =>
      parseScenarios('scenarios:\n  - id: u\n    turns: [x]\n    expect: { understood: { color: red } }\n', 'x.yaml'),
    ).toThrow('Unrecognized key: "color"');
  });
});

describe('HTML report', () => {
  it('escapes model output and names every model and metric', () => {
    const turn = scoreTurn({
      say: '<b>hi</b>',
      answer: '<img src=x onerror=alert(1)>',
      recommendedIds: [],
      catalogue,
      mismatches: [],
      expect: null,
      mustNotContain: [],
      metrics,
    });
    const result = scenarioResult('xss', 'd', [turn]);
    const report: EvalReport = {
      generatedAt: '2025-01-01T00:00:00.000Z',
      ollamaHost: 'http://127.0.0.1:11434',
      configVersion: 'abc',
      scenarioSource: 'eval/scenarios',
      models: ['qwen3:4b', 'qwen3:8b'].map((model) => ({ model, summary: summarise(model, [result]), scenarios: [result] })),
    };
    const html = renderHtml(report);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    for (const needle of ['qwen3:4b', 'qwen3:8b', 'Time to first token (median)', 'Tokens used', '<svg'])
      expect(html).toContain(needle);
  });
});
