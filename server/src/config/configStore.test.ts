import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './loadConfig';
import { createConfigStore, type ConfigStore } from './configStore';

let dir: string;
let file: string;
let lines: string[];
let store: ConfigStore | undefined;

function logger() {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

function open(env: Record<string, string> = {}): ConfigStore {
  store = createConfigStore({ file, env, cwd: dir, logger: logger(), debounceMs: 50 });
  return store;
}

function nextChange(s: ConfigStore): Promise<string[]> {
  return new Promise((resolve) => {
    const off = s.onChange((_next, _prev, changed) => {
      off();
      resolve(changed);
    });
  });
}

function nextReject(s: ConfigStore): Promise<string[]> {
  return new Promise((resolve) => {
    const off = s.onReject((problems) => {
      off();
      resolve(problems);
    });
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-store-'));
  file = path.join(dir, 'aisle.yaml');
  lines = [];
  fs.writeFileSync(file, 'chat:\n  model: qwen3:4b\n  maxToolRounds: 4\n');
});

afterEach(() => {
  store?.close();
  store = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('config store (hot reload)', () => {
  it('fails fast at start on an invalid file, naming the field', () => {
    fs.writeFileSync(file, 'chat:\n  maxToolRounds: 99\n');
    expect(() => open()).toThrow(ConfigError);
    expect(() => open()).toThrow(/chat\.maxToolRounds/);
  });

  it('applies a valid edit for the next read, with a new version and the changed fields logged', async () => {
    const s = open();
    const before = s.current();
    const changed = nextChange(s);
    fs.writeFileSync(
      file,
      'chat:\n  model: qwen3:8b\n  maxToolRounds: 4\nmodels:\n  "qwen3:8b":\n    options: { num_ctx: 16384 }\n',
    );
    expect(await changed).toEqual(expect.arrayContaining(['chat.model', 'models.qwen3:8b']));
    expect(s.current().config.chat.model).toBe('qwen3:8b');
    expect(s.current().version).not.toBe(before.version);
    expect(Object.isFrozen(s.current().config.chat)).toBe(true);
    expect(lines.some((l) => l.includes('config reloaded') && l.includes('chat.model'))).toBe(true);
  });

  it('rejects an invalid edit with one log line naming the fields and keeps the config in force whole', async () => {
    const s = open();
    const before = s.current();
    const rejected = nextReject(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:8b\n  maxToolRounds: 99\n  colour: red\n');
    const problems = await rejected;
    expect(problems.join('\n')).toContain('chat.maxToolRounds');
    expect(problems.join('\n')).toContain('colour');
    // The valid half of the bad edit (the model) was not applied either.
    expect(s.current()).toBe(before);
    expect(s.current().config.chat.model).toBe('qwen3:4b');
    const logged = lines.filter((l) => l.includes('config edit rejected'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('chat.maxToolRounds');
    expect(logged[0]).toContain(before.version);

    // A later fix is picked up.
    const changed = nextChange(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:8b\n');
    await changed;
    expect(s.current().config.chat.model).toBe('qwen3:8b');
  });

  it('rejects a half-written file (empty, then truncated) and accepts it once complete', async () => {
    const s = open();
    const before = s.current();
    const complete = 'chat:\n  model: qwen3:8b\n  options:\n    num_ctx: 16384\n    temperature: 0.3\n';

    let rejected = nextReject(s);
    fs.writeFileSync(file, '');
    expect((await rejected).join('\n')).toMatch(/empty/);
    expect(s.current()).toBe(before);

    rejected = nextReject(s);
    fs.writeFileSync(file, complete.slice(0, complete.indexOf('16384') + 2));
    expect((await rejected).join('\n')).toContain('chat.options.num_ctx');
    expect(s.current()).toBe(before);

    const changed = nextChange(s);
    fs.writeFileSync(file, complete);
    await changed;
    expect(s.current().config.chat.options.num_ctx).toBe(16384);
    expect(s.current().config.chat.options.temperature).toBe(0.3);
  });

  it('keeps following the file when an editor saves by renaming a new file over it', async () => {
    const s = open();
    let changed = nextChange(s);
    fs.writeFileSync(path.join(dir, '.aisle.yaml.tmp'), 'chat:\n  model: qwen3:8b\n');
    fs.renameSync(path.join(dir, '.aisle.yaml.tmp'), file);
    await changed;
    expect(s.current().config.chat.model).toBe('qwen3:8b');

    // Vim-style: move the old file away, write a new one. The watch must survive the first swap.
    changed = nextChange(s);
    fs.renameSync(file, `${file}~`);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:1.7b\n');
    await changed;
    expect(s.current().config.chat.model).toBe('qwen3:1.7b');
  });

  it('reloads when the system prompt file changes, and refuses a prompt file that is missing', async () => {
    fs.writeFileSync(path.join(dir, 'prompt.txt'), 'You are the shop assistant.');
    fs.writeFileSync(file, 'chat:\n  systemPromptFile: prompt.txt\n');
    const s = open();
    expect(s.current().systemPrompt).toBe('You are the shop assistant.');
    const before = s.current().version;

    const changed = nextChange(s);
    fs.writeFileSync(path.join(dir, 'prompt.txt'), 'You are the shop assistant. Be brief.');
    await changed;
    expect(s.current().systemPrompt).toBe('You are the shop assistant. Be brief.');
    expect(s.current().version).not.toBe(before);

    const rejected = nextReject(s);
    fs.writeFileSync(file, 'chat:\n  systemPromptFile: nope.txt\n');
    expect((await rejected).join('\n')).toContain('chat.systemPromptFile');
    expect(s.current().systemPrompt).toBe('You are the shop assistant. Be brief.');
  });

  it('keeps environment overrides across reloads', async () => {
    const s = open({ AISLE_MODEL: 'qwen3:1.7b' });
    const changed = nextChange(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:8b\n  maxToolRounds: 2\n');
    await changed;
    expect(s.current().config.chat.model).toBe('qwen3:1.7b');
    expect(s.current().config.chat.maxToolRounds).toBe(2);
    expect(s.current().envOverrides).toEqual(['AISLE_MODEL']);
  });

  it('reload() reports an unchanged file as unchanged', () => {
    const s = open();
    expect(s.reload().status).toBe('unchanged');
    fs.writeFileSync(file, 'chat:\n  model: qwen3:4b\n  maxToolRounds: 4\n# a comment only\n');
    expect(s.reload().status).toBe('unchanged');
  });
});
