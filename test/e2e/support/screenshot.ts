/**
 * Takes the README's screenshot: a good answer with cards at 1280x900, from the demo catalogue and
 * the Ollama test double's demo brain. Run: `npx tsx test/e2e/support/screenshot.ts [out.png]`
 * (default docs/screenshot.png). Needs the built client (`pnpm build`).
 */
import path from 'node:path';
import { ChatPage } from '../pages/chat-page';
import { launchBrowser } from './browser';
import { startStack } from './stack';

const QUESTION = 'Waterproof trail shoes under $120, size 44';
const out = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '../../../docs/screenshot.png'));

const stack = await startStack({ catalogue: 'demo', double: { tokenDelayMs: 5 } });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    reducedMotion: 'reduce',
    deviceScaleFactor: 1,
  });
  const chat = new ChatPage(await context.newPage());
  await chat.open(stack.url);
  await chat.ask(QUESTION);
  await chat.waitForAnswerEnd();
  const cards = chat.cards();
  await cards.first().waitFor();
  if ((await cards.count()) === 0) throw new Error('the answer has no product cards; nothing worth a screenshot');
  // Let the fonts settle and the list finish scrolling to the answer.
  await chat.page.evaluate(() => document.fonts.ready.then(() => undefined));
  await chat.page.screenshot({ path: out, animations: 'disabled', caret: 'hide' });
  console.log(`screenshot written to ${path.relative(process.cwd(), out)} (${await cards.count()} cards)`);
  await context.close();
} finally {
  await browser.close();
  await stack.close();
}
