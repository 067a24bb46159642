import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConfigStatusDetails } from './ConfigStatusPanel';

describe('ConfigStatusDetails', () => {
  it('tells admins that an edit was refused, why, and that the old version still serves', () => {
    const html = renderToStaticMarkup(
      <ConfigStatusDetails
        config={{
          version: 'a1b2c3',
          appliedAt: '2026-11-27T08:00:00.000Z',
          refused: {
            at: '2026-11-27T09:00:00.000Z',
            reason: 'no host has model qwen3:32b (asked default (http://127.0.0.1:11434)); fix: ollama pull qwen3:32b',
          },
        }}
      />,
    );
    expect(html).toContain('a1b2c3');
    expect(html).toContain('role="alert"');
    expect(html).toContain('refused');
    expect(html).toContain('ollama pull qwen3:32b');
  });

  it('shows no alert when the last edit was applied', () => {
    const html = renderToStaticMarkup(
      <ConfigStatusDetails config={{ version: 'a1b2c3', appliedAt: '2026-11-27T08:00:00.000Z' }} />,
    );
    expect(html).not.toContain('role="alert"');
  });
});
