/**
 * The small machinery behind the demo catalogue: a seeded PRNG and a template expander, so the
 * curated product lines in demoLines.ts read as text rather than code.
 */

/** Deterministic random numbers (mulberry32): the same seed always gives the same catalogue. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** `n` distinct items in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      const a = copy[i];
      const b = copy[j];
      if (a !== undefined && b !== undefined) {
        copy[i] = b;
        copy[j] = a;
      }
    }
    return copy.slice(0, n);
  }
}

/** Values a template can refer to as {$name}; {$Name} gives the value capitalised. */
export type TemplateVars = Readonly<Record<string, string>>;

const INNERMOST = /\{([^{}]*)\}/;

/**
 * Expands a template, innermost braces first:
 *  - `{a|b|c}` one of the alternatives (an alternative may be empty),
 *  - `{#200-400}` an integer, `{#200-400/10}` in steps of 10, `{#1.5-3.5}` with that many decimals,
 *  - `{$var}` a variable.
 */
export function expand(template: string, rng: Rng, vars: TemplateVars): string {
  let text = template;
  for (let m = INNERMOST.exec(text); m; m = INNERMOST.exec(text)) {
    const body = m[1] ?? '';
    text = text.slice(0, m.index) + expandOne(body, rng, vars) + text.slice(m.index + m[0].length);
  }
  return tidy(text);
}

function expandOne(body: string, rng: Rng, vars: TemplateVars): string {
  if (body.startsWith('$')) {
    const name = body.slice(1);
    const direct = vars[name];
    if (direct !== undefined) return direct;
    const lower = vars[name.charAt(0).toLowerCase() + name.slice(1)];
    if (lower !== undefined) return capitalise(lower);
    throw new Error(`template variable ${name} is not set`);
  }
  if (body.startsWith('#')) {
    const range = /^#(\d+(?:\.(\d+))?)-(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(body);
    if (!range) throw new Error(`bad number range {${body}}`);
    const min = Number(range[1]);
    const max = Number(range[3]);
    const decimals = range[2]?.length ?? 0;
    const step = range[4] ? Number(range[4]) : 10 ** -decimals;
    const steps = Math.round((max - min) / step);
    return (min + rng.int(0, steps) * step).toFixed(decimals);
  }
  return rng.pick(body.split('|'));
}

/** Fixes what joining fragments leaves behind: doubled spaces, "a" before a vowel, space before punctuation. */
function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/\b([Aa]) (?=(8|11 |18 ))/g, '$1n ')
    .replace(/\b([Aa]) (?=([a-zA-Z]+))/g, (match: string, a: string, word: string) =>
      /^[aeiou]/i.test(word) && !/^(uni|use|usb|one|eu)/i.test(word) ? `${a}n ` : match,
    )
    .trim();
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
