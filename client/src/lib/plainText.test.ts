import { describe, expect, it } from 'vitest';
import { toPlainText } from './plainText';

describe('toPlainText', () => {
  it('reads links, emphasis and lists the way a person would say them', () => {
    const markdown = '## Pick\n\n- **[Trail Runner](product:p1)**: *light*, $119\n- `Gore-Tex` upper';
    expect(toPlainText(markdown)).toBe('Pick Trail Runner: light, $119 Gore-Tex upper');
  });
});
