// Each range, and why it goes:
// - U+061C, U+200E, U+200F: bidi marks; invisible, they reorder the neutral characters around them.
// - U+202A–U+202E, U+2066–U+2069: bidi embeddings, overrides and isolates ("invoice\u202Egnp.exe"
//   shows as "invoiceexe.png").
// - U+206A–U+206F: deprecated format controls (symmetric swapping, digit shapes); nothing needs them.
// - U+200B, U+2060–U+2064, U+FEFF: zero-width space, word joiner, invisible operators and a stray BOM;
//   invisible, so they hide text differences and smuggled payloads.
// - U+E0000–U+E007F: Unicode Tags; invisible copies of ASCII that language models read as text
//   ("ASCII smuggling"). Only emoji subdivision flags use them, and those three are kept (below).
// Kept on purpose: U+200C ZWNJ and U+200D ZWJ. ZWJ joins emoji sequences (family, profession and
// skin-tone emoji) and Indic conjuncts; ZWNJ is part of correct spelling in Persian, Urdu and Indic
// scripts. Neither reorders text, so neither can make "gnp.exe" read as "exe.png".
const SUBDIVISION_FLAG =
  '\u{1F3F4}\u{E0067}\u{E0062}(?:\u{E0065}\u{E006E}\u{E0067}|\u{E0073}\u{E0063}\u{E0074}|\u{E0077}\u{E006C}\u{E0073})\u{E007F}';
const UNSAFE = new RegExp(
  `(${SUBDIVISION_FLAG})|[\\u061C\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\u{E0000}-\\u{E007F}]`,
  'gu',
);

/**
 * Removes Unicode bidirectional controls and the invisible format characters used for spoofing and
 * hidden text, so what is displayed (or handed to a model) reads the way it is stored. Emoji stay
 * whole: zero-width joiners and the England, Scotland and Wales flags are kept.
 */
export function neutraliseBidi(text: string): string {
  return text.replace(UNSAFE, (_match, flag: string | undefined) => flag ?? '');
}
