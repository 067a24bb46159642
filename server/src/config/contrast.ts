/**
 * WCAG 2.x contrast, computed here rather than with a package: it is two short formulas from the
 * spec (relative luminance, contrast ratio), and the config loader should not grow a dependency for it.
 */

/** `#rgb` or `#rrggbb` (no alpha: text on a see-through colour has no fixed contrast). */
export const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/** The text colour the shopper page puts on the accent (buttons): white, as the default teal has. */
export const ON_ACCENT = '#ffffff';

/** WCAG AA for normal text. */
export const AA_CONTRAST = 4.5;

function channels(hex: string): number[] {
  const h = hex.slice(1);
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255);
}

/** WCAG relative luminance of an sRGB hex colour, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  const [r = 0, g = 0, b = 0] = channels(hex).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two hex colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
