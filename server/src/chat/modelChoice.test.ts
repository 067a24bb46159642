import { describe, expect, it } from 'vitest';
import { configVersion, parseConfig, type LoadedConfig } from '../config/loadConfig';
import { assignArm, modelFor } from './modelChoice';

function loadedWith(raw: unknown): LoadedConfig {
  const config = parseConfig(raw, {}, 'test');
  return { config, version: configVersion(config), file: null, dataDir: '/tmp/aisle-unused' };
}

const experiment = { name: 'try-8b', candidate: 'qwen3:8b', share: 0.3 };

describe('model and experiment choice', () => {
  it('routes a new conversation to the candidate when the random draw falls below the share', () => {
    const loaded = loadedWith({ experiment });
    const control = loaded.config.chat.model;
    expect(assignArm(loaded, () => 0.29)).toEqual({ name: 'try-8b', arm: 'candidate', model: 'qwen3:8b' });
    expect(assignArm(loaded, () => 0.3)).toEqual({ name: 'try-8b', arm: 'control', model: control });
    expect(assignArm(loadedWith({}), () => 0)).toBeNull();
  });

  it('keeps a conversation on its arm only while its experiment runs', () => {
    const running = loadedWith({ experiment });
    const candidate = { arm: 'candidate', experiment: 'try-8b' };
    expect(modelFor(candidate, running)).toBe('qwen3:8b');
    expect(modelFor({ arm: 'control', experiment: 'try-8b' }, running)).toBe(running.config.chat.model);
    // A new experiment (or none) sends old candidate conversations back to the configured model.
    const next = loadedWith({ experiment: { ...experiment, name: 'try-14b', candidate: 'qwen3:14b' } });
    expect(modelFor(candidate, next)).toBe(next.config.chat.model);
  });
});
