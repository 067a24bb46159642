/**
 * The answer the browser bench streams: long, shop-like Markdown (headings, numbered and bulleted
 * lists, bold, a table, web links and `product:` links to the demo catalogue), split into model-like
 * tokens. Every visible word carries a numbered marker (`word·17·`) so the page can tell exactly how
 * far into the answer the text on screen has got, whatever Markdown made of the syntax around it.
 * Deterministic: the same answer every run.
 */
import { tokens } from '../../ollama-double';

/** Demo catalogue products (server/src/catalogue/demo/), so Aisle resolves the links into cards. */
const PRODUCTS = [
  { id: 'TRL-1001-38-FGR', name: 'Cairnwell Shrike Waterproof Trail Shoe' },
  { id: 'TRL-1002-40-SLT', name: 'Tarnwick Cirque LT Men’s Waterproof Trail Runner' },
  { id: 'TRL-1003-40-PLM', name: 'Vantor Fox SL Men’s Waterproof Trail Running Shoe' },
  { id: 'TRL-1004-38-SND', name: 'Cairnwell Nimbus SL Waterproof Trail Runner' },
] as const;

const PHRASES = [
  'these keep your feet dry on wet rock and muddy forest paths',
  'the wide toe box leaves room for thick winter socks',
  'a grippy outsole with deep lugs holds on loose gravel',
  'light enough for long days without tiring your legs',
  'the membrane breathes so your feet do not overheat uphill',
  'reviewers mention a snug heel and a roomy forefoot',
  'good value if you hike a few weekends a month',
  'the cushioning softens rocky descents on tired knees',
] as const;

/** Adds the numbered marker to every word of `text`, counting on from `counter.next`. */
function marked(text: string, counter: { next: number }): string {
  return text
    .split(' ')
    .map((word) => `${word}·${counter.next++}·`)
    .join(' ');
}

/** The Markdown of the bench answer, with `sections` repetitions of the body. */
export function benchAnswerMarkdown(sections: number): string {
  const counter = { next: 0 };
  const w = (text: string) => marked(text, counter);
  const parts: string[] = [
    `${w('Here are waterproof hiking shoes that suit')} **${w('wide feet')}**${w(', picked from our range:')}`,
  ];
  for (let s = 0; s < sections; s++) {
    const phrase = (i: number) => PHRASES[(s * 3 + i) % PHRASES.length] ?? '';
    parts.push(`## ${w(`Option group ${s + 1}`)}`);
    parts.push(
      PRODUCTS.map(
        (p, i) =>
          `${i + 1}. **[${p.name}](product:${p.id})** ${w(`— ${phrase(i)}.`)} ${w('It has')} **${w('a wide fit')}** ${w(`and ${phrase(i + 1)}.`)}`,
      ).join('\n'),
    );
    parts.push(
      [
        `- **${w('Fit:')}** ${w(phrase(2))}`,
        `- **${w('Care:')}** ${w('rinse off mud and let them dry slowly, see the')} [${w('care guide')}](https://example.com/care-guide) ${w('for details')}`,
        `- ${w(phrase(3))}`,
      ].join('\n'),
    );
    parts.push(
      [
        `| ${w('Shoe')} | ${w('Weight')} | ${w('Drop')} | ${w('Best for')} |`,
        '| --- | --- | --- | --- |',
        ...PRODUCTS.map(
          (p, i) =>
            `| [${p.name}](product:${p.id}) | ${w(`${280 + 15 * i} g`)} | ${w(`${6 + i} mm`)} | ${w(
              phrase(i + 4)
                .split(' ')
                .slice(0, 5)
                .join(' '),
            )} |`,
        ),
      ].join('\n'),
    );
    parts.push(`${w(`In short, ${phrase(5)}, and`)} **${w(phrase(6))}**${w('.')} ${w(phrase(7))}${w('.')}`);
  }
  parts.push(`${w('Tell me your usual size and I can check what is in stock.')}`);
  return parts.join('\n\n');
}

/** The answer as the model streams it: one token (word with its leading space) per chunk. */
export function benchAnswerTokens(sections: number): string[] {
  return tokens(benchAnswerMarkdown(sections));
}
