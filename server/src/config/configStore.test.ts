import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './loadConfig';
import { createConfigStore, decideModelEdit, type ConfigStore, type ModelAvailability } from './configStore';
import type { LoadedConfig } from './loadConfig';

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

function open(env: Record<string, string> = {}, checkModels?: (next: LoadedConfig) => Promise<ModelAvailability[]>): ConfigStore {
  store = createConfigStore({
    file,
    env,
    cwd: dir,
    logger: logger(),
    debounceMs: 50,
    now: () => new Date('2026-11-27T08:00:00.000Z'),
    ...(checkModels ? { checkModels } : {}),
  });
  return store;
}

/** Hosts as the guard would find them: which models each lists, or null for a host that is down. */
function hostsWith(hosts: Record<string, string[] | null>) {
  const asked: string[] = [];
  const check = async (next: LoadedConfig): Promise<ModelAvailability[]> => {
    const model = next.config.chat.model;
    asked.push(model);
    const report: ModelAvailability = { model, hostsAsked: [], presentOn: [], missingOn: [], uncheckedOn: [], fixes: [] };
    for (const [name, models] of Object.entries(hosts)) {
      report.hostsAsked.push(`${name} (http://${name}:11434)`);
      if (models === null) report.uncheckedOn.push(name);
      else if (models.includes(model)) report.presentOn.push(name);
      else {
        report.missingOn.push(name);
        report.fixes.push(`OLLAMA_HOST=http://${name}:11434 ollama pull ${model}`);
      }
    }
    return [report];
  };
  return { check, asked };
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

  it('reload() reports an unchanged file as unchanged', async () => {
    const s = open();
    expect((await s.reload()).status).toBe('unchanged');
    fs.writeFileSync(file, 'chat:\n  model: qwen3:4b\n  maxToolRounds: 4\n# a comment only\n');
    expect((await s.reload()).status).toBe('unchanged');
  });
});

describe('model edit guard: decision', () => {
  const availability = (over: Partial<ModelAvailability>): ModelAvailability => ({
    model: 'qwen3:32b',
    hostsAsked: ['gpu (http://gpu:11434)', 'local (http://127.0.0.1:11434)'],
    presentOn: [],
    missingOn: [],
    uncheckedOn: [],
    fixes: [],
    ...over,
  });

  it('refuses a model that every host answered without, naming the model, the hosts and the fix', () => {
    const verdict = decideModelEdit([
      availability({ missingOn: ['gpu', 'local'], fixes: ['OLLAMA_HOST=http://gpu:11434 ollama pull qwen3:32b'] }),
    ]);
    expect(verdict.status).toBe('refused');
    expect(verdict.status === 'refused' && verdict.reason).toMatch(
      /qwen3:32b.*gpu \(http:\/\/gpu:11434\).*local.*ollama pull qwen3:32b/,
    );
  });

  it('accepts a model one host has, even when another lacks it or is down', () => {
    expect(decideModelEdit([availability({ presentOn: ['local'], missingOn: ['gpu'] })])).toEqual({ status: 'served' });
    expect(decideModelEdit([availability({ presentOn: ['local'], uncheckedOn: ['gpu'] })])).toEqual({ status: 'served' });
  });

  it('accepts unchecked when a host that could have it did not answer (an outage must not block edits)', () => {
    expect(decideModelEdit([availability({ uncheckedOn: ['gpu', 'local'] })]).status).toBe('unverified');
    expect(decideModelEdit([availability({ missingOn: ['local'], uncheckedOn: ['gpu'] })]).status).toBe('unverified');
  });

  it('refuses when the experiment candidate is missing everywhere, even though the chat model is there', () => {
    const verdict = decideModelEdit([
      availability({ model: 'qwen3:4b', presentOn: ['gpu'] }),
      availability({ model: 'qwen3:14b', missingOn: ['gpu', 'local'] }),
    ]);
    expect(verdict.status === 'refused' && verdict.reason).toMatch(/qwen3:14b/);
    expect(verdict.status === 'refused' && verdict.reason).not.toMatch(/qwen3:4b/);
  });
});

describe('model edit guard: config store', () => {
  it('keeps the config in force when no host has the new chat model, and says why in the log and the status', async () => {
    const hosts = hostsWith({ gpu: ['qwen3:4b', 'qwen3:8b'] });
    const s = open({}, hosts.check);
    const before = s.current();
    const rejected = nextReject(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:32b\n  maxToolRounds: 4\n');
    expect((await rejected).join('\n')).toContain('qwen3:32b');
    expect(s.current()).toBe(before);
    expect(s.status()).toEqual({
      version: before.version,
      appliedAt: '2026-11-27T08:00:00.000Z',
      refused: { at: '2026-11-27T08:00:00.000Z', reason: expect.stringContaining('ollama pull qwen3:32b') },
    });
    const logged = lines.filter((l) => l.includes('config edit rejected'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('qwen3:32b');
    expect(logged[0]).toContain('gpu (http://gpu:11434)');
    expect(logged[0]).toContain('ollama pull qwen3:32b');

    // A model a host has is applied, and the refusal is no longer news.
    const changed = nextChange(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:8b\n  maxToolRounds: 4\n');
    await changed;
    expect(s.current().config.chat.model).toBe('qwen3:8b');
    expect(s.status()).toEqual({ version: s.current().version, appliedAt: '2026-11-27T08:00:00.000Z' });
  });

  it('applies the edit with a warning when the hosts cannot be reached', async () => {
    const hosts = hostsWith({ gpu: null });
    const s = open({}, hosts.check);
    const changed = nextChange(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:32b\n');
    await changed;
    expect(s.current().config.chat.model).toBe('qwen3:32b');
    expect(s.status().unverified?.reason).toContain('qwen3:32b');
    expect(lines.some((l) => l.includes('without checking') && l.includes('qwen3:32b'))).toBe(true);
  });

  it('does not ask the hosts when the edit leaves the model and its hosts alone', async () => {
    const hosts = hostsWith({ gpu: [] });
    const s = open({}, hosts.check);
    const changed = nextChange(s);
    fs.writeFileSync(file, 'chat:\n  model: qwen3:4b\n  maxToolRounds: 2\n');
    await changed;
    expect(s.current().config.chat.maxToolRounds).toBe(2);
    expect(hosts.asked).toEqual([]);
  });
});
