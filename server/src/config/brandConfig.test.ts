import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigStore } from './configStore';
import { contrastRatio } from './contrast';
import { ConfigError, loadConfig, parseConfig } from './loadConfig';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-brand-'));
  file = path.join(dir, 'aisle.yaml');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The problems a config is refused with, or [] when it is accepted. */
function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('brand settings', () => {
  it('defaults to Aisle with no colour, logo, greeting or prompts of its own (today’s look)', () => {
    expect(parseConfig({}).brand).toEqual({ name: 'Aisle' });
  });

  it('computes WCAG contrast as the spec does', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#fff', '#ffffff')).toBe(1);
    // The default teal with white text, as the page ships.
    expect(contrastRatio('#0f766e', '#ffffff')).toBeGreaterThan(4.5);
  });

  it('refuses an accent colour white text cannot be read on, naming the field and the contrast', () => {
    const problems = problemsOf({ brand: { accentColor: '#7dd3fc' } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^brand\.accentColor: white text on #7dd3fc has contrast 1\.\d\d:1; WCAG AA needs at least 4\.5:1/,
    );
  });

  it('refuses a colour just below AA and accepts one just above it', () => {
    // #777777 on white is 4.48:1, #767676 is 4.54:1: the usual AA threshold pair.
    expect(problemsOf({ brand: { accentColor: '#777777' } })[0]).toContain('contrast 4.48:1');
    expect(parseConfig({ brand: { accentColor: '#767676' } }).brand.accentColor).toBe('#767676');
  });

  it('accepts a dark brand colour and refuses what is not a hex colour', () => {
    expect(parseConfig({ brand: { accentColor: '#7c3aed' } }).brand.accentColor).toBe('#7c3aed');
    expect(problemsOf({ brand: { accentColor: 'purple' } })[0]).toMatch(/^brand\.accentColor: a CSS hex colour/);
  });

  it('caps example prompts at 6 of at most 80 characters', () => {
    expect(problemsOf({ brand: { examplePrompts: Array.from({ length: 7 }, (_, i) => `Prompt ${i}`) } })[0]).toMatch(
      /^brand\.examplePrompts: at most 6/,
    );
    expect(problemsOf({ brand: { examplePrompts: ['x'.repeat(81)] } })[0]).toMatch(/^brand\.examplePrompts\.0: at most 80/);
  });

  it('takes a logo served by Aisle, or from an origin the page may load images from', () => {
    expect(parseConfig({ brand: { logoUrl: '/brand/logo.svg' } }).brand.logoUrl).toBe('/brand/logo.svg');
    expect(problemsOf({ brand: { logoUrl: '/brand/../aisle.db' } })[0]).toMatch(/^brand\.logoUrl:/);
    expect(problemsOf({ brand: { logoUrl: 'http://cdn.example/logo.png' } })[0]).toMatch(/^brand\.logoUrl:/);
    expect(problemsOf({ brand: { logoUrl: 'https://cdn.example/logo.png' } })[0]).toContain(
      'add https://cdn.example to server.imageOrigins',
    );
    const config = parseConfig({
      brand: { logoUrl: 'https://cdn.example/logo.png' },
      server: { imageOrigins: ['https://cdn.example'] },
    });
    expect(config.brand.logoUrl).toBe('https://cdn.example/logo.png');
  });
});

describe('shop instructions', () => {
  it('accepts up to 2,000 characters and refuses more, naming the field', () => {
    expect(parseConfig({ chat: { shopInstructions: 'x'.repeat(2000) } }).chat.shopInstructions).toHaveLength(2000);
    expect(problemsOf({ chat: { shopInstructions: 'x'.repeat(2001) } })[0]).toBe(
      'chat.shopInstructions: at most 2000 characters',
    );
  });
});

describe('shop policies', () => {
  it('reads inline policies and policy files relative to the config file', () => {
    fs.mkdirSync(path.join(dir, 'policies'));
    fs.writeFileSync(path.join(dir, 'policies', 'returns.md'), '# Returns\n\nReturn unworn items within 30 days.\n');
    fs.writeFileSync(
      file,
      'shop:\n  policies:\n    returns: { file: policies/returns.md }\n    shipping: Free delivery on orders over 50 EUR.\n',
    );
    const loaded = loadConfig({ cwd: dir, env: {} });
    expect(loaded.policies).toEqual({
      returns: '# Returns\n\nReturn unworn items within 30 days.',
      shipping: 'Free delivery on orders over 50 EUR.',
    });
  });

  it('refuses a missing, empty or oversized policy file, and a policy name that is not one', () => {
    fs.writeFileSync(path.join(dir, 'empty.md'), '  \n');
    fs.writeFileSync(path.join(dir, 'huge.md'), 'x'.repeat(20_001));
    fs.writeFileSync(
      file,
      'shop:\n  policies:\n    returns: { file: nope.md }\n    warranty: { file: empty.md }\n    shipping: { file: huge.md }\n',
    );
    const err = (() => {
      try {
        loadConfig({ cwd: dir, env: {} });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const problems = err instanceof ConfigError ? err.problems.join('\n') : '';
    expect(problems).toContain(`shop.policies.returns.file: cannot read ${path.join(dir, 'nope.md')}`);
    expect(problems).toContain('shop.policies.warranty.file');
    expect(problems).toContain('shop.policies.shipping.file');
    expect(problemsOf({ shop: { policies: { 'Gift Wrap': 'x' } } })[0]).toMatch(/^shop\.policies\.Gift Wrap:/);
  });

  it('re-reads a policy file on reload, as a new config version', async () => {
    fs.writeFileSync(path.join(dir, 'returns.md'), 'Returns within 30 days.');
    fs.writeFileSync(file, 'shop:\n  policies:\n    returns: { file: returns.md }\n');
    const store = createConfigStore({ file, cwd: dir, env: {}, logger: pino({ level: 'silent' }), debounceMs: 10_000 });
    try {
      const before = store.current().version;
      fs.writeFileSync(path.join(dir, 'returns.md'), 'Returns within 60 days.');
      const outcome = await store.reload();
      expect(outcome.status).toBe('applied');
      expect(store.current().policies).toEqual({ returns: 'Returns within 60 days.' });
      expect(store.current().version).not.toBe(before);
    } finally {
      store.close();
    }
  });
});
