/**
 * The shape every language's strings share: the same sections of plain strings. Which keys each
 * section holds is checked by `resources.test.ts`, since plural suffixes (`_one`, `_ordinal_few`…)
 * differ from language to language and a type cannot say which ones each needs.
 */
export type LocaleStrings = Record<
  | 'header'
  | 'landmarks'
  | 'welcome'
  | 'composer'
  | 'message'
  | 'phase'
  | 'queue'
  | 'announce'
  | 'handoff'
  | 'feedback'
  | 'status'
  | 'card'
  | 'errors'
  | 'a11yLang'
  | 'history'
  | 'compare'
  | 'constraints',
  Record<string, string>
>;
