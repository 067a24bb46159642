import { formatMoney } from '@aisle/shared';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { ChatPage } from './pages/chat-page';
import { ComparePanel } from './pages/compare-panel';
import { ConstraintChips } from './pages/constraint-chips';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

let browser: Browser;
let stack: E2eStack;
let context: BrowserContext;
let chat: ChatPage;
let compare: ComparePanel;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startStack();
  context = await newShopperContext(browser);
  const page = await context.newPage();
  chat = new ChatPage(page);
  compare = new ComparePanel(page);
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

const RIDGEBACK = 'Ridgeback Waterproof Trail Shoe';
const SUMMIT = 'Summit Pro GTX Trail Shoe';

/** The shopper asks for trail shoes in 44; the model links both shoes' size-44 variants. */
async function askForShoes(): Promise<void> {
  stack.double.enqueueChat({
    chunks: text(`The [${RIDGEBACK}](product:TRL-100-44) and the [${SUMMIT}](product:TRL-200-44) both come in 44.`),
  });
  await chat.ask('Trail shoes in size 44?');
  await chat.waitForAnswerEnd();
  await chat.card(RIDGEBACK).waitFor();
}

describe('suggestions after an answer', () => {
  it('come from the results; "Under $180" edits the price chip and the cards at once, without a model call', async () => {
    await chat.open(stack.url);
    await askForShoes();
    const first = chat.lastAnswer;
    // The shoes cost $109.99 and $189.00; only the Ridgeback says "Waterproof"; both come in 44.
    await eventually(() => compare.suggestions(first).allTextContents()).toEqual([
      'Under $180',
      'Waterproof only',
      'In size 44',
      'Compare these',
    ]);
    const chips = new ConstraintChips(first);
    await chips.region.waitFor();
    expect(await chips.labels()).not.toContain('Up to $180.00');

    await compare.suggestions(first).getByText('Under $180', { exact: true }).click();
    // The chip shows the new price, and the $189 Summit Pro is gone from the cards.
    await eventually(() => chips.labels()).toContain('Up to $180.00');
    await eventually(() => chat.card(SUMMIT).count()).toBe(0);
    await chat.card(RIDGEBACK).waitFor();
    // No message was sent and the model was not asked again.
    await expect(chat.userMessages.allTextContents()).resolves.toEqual(['Trail shoes in size 44?']);
    expect(stack.double.chatRequests()).toHaveLength(1);
    // The applied suggestion is gone, and so is "Compare these" (one of its shoes is no longer shown).
    await eventually(() => compare.suggestions(first).allTextContents()).toEqual(['Waterproof only', 'In size 44']);

    // The next question starts from the edited chips: the model's context has the new budget.
    stack.double.enqueueChat({ chunks: text(`The [${RIDGEBACK}](product:TRL-100-44) is the one.`) });
    await chat.ask('Which one is lighter?');
    await chat.waitForAnswerEnd();
    const context = stack.double
      .chatRequests()
      .at(-1)
      ?.messages?.find((m) => m.role === 'system' && m.content.startsWith('What the shopper asked for'));
    expect(context?.content).toContain('"priceMax":180');
    // The first answer's suggestions are gone: only the newest answer has them.
    await expect(chat.answers.first().getByRole('list', { name: 'Suggestions' }).count()).resolves.toBe(0);
  });

  it('"Compare these" opens the comparison of the answer’s cards without sending a message', async () => {
    await chat.open(stack.url);
    await askForShoes();
    await compare.suggestions(chat.lastAnswer).getByText('Compare these', { exact: true }).click();
    await compare.table.waitFor();
    await expect(compare.columns()).resolves.toEqual([`Northpeak${RIDGEBACK}`, `Alpenfold${SUMMIT}`]);
    await expect(chat.userMessages.count()).resolves.toBe(1);
  });
});

describe('comparing products', () => {
  it('shows the database’s values for two ticked cards, with the rows that differ marked in words', async () => {
    await chat.open(stack.url);
    await askForShoes();
    await compare.tick(RIDGEBACK).check();
    await expect(compare.openButton(1).isDisabled()).resolves.toBe(true);
    await compare.tick(SUMMIT).check();
    await compare.openButton(2).click();

    await compare.table.waitFor();
    await expect(compare.table.locator('caption').textContent()).resolves.toBe(`Comparison of ${RIDGEBACK}, ${SUMMIT}`);
    const [ridgeback, summit] = await stack.server.app.products.getCards(['TRL-100-44', 'TRL-200-44']);
    if (!ridgeback || !summit) throw new Error('fixture shoes missing');
    const rows = await compare.rows();
    expect(rows.get('Price')).toEqual({ differs: true, cells: [formatMoney(ridgeback.price), formatMoney(summit.price)] });
    expect(rows.get('Rating')).toEqual({ differs: true, cells: [`${ridgeback.rating} out of 5`, `${summit.rating} out of 5`] });
    expect(rows.get('Reviews')).toEqual({ differs: true, cells: [String(ridgeback.reviewCount), String(summit.reviewCount)] });
    expect(rows.get('Stock')).toEqual({ differs: false, cells: ['In stock', 'In stock'] });
    expect(rows.get('Brand')).toEqual({ differs: true, cells: ['Northpeak', 'Alpenfold'] });
    // Sizes in stock across each shoe's variants: the Ridgeback's 46 is sold out.
    const inStock = (group: string) =>
      FIXTURE_PRODUCTS.filter((p) => p.itemGroupId === group && p.availability === 'in_stock').map((p) => p.size);
    expect(rows.get('Sizes in stock')).toEqual({
      differs: true,
      cells: [inStock('TRL-100').join(', '), inStock('TRL-200').join(', ')],
    });
    expect(rows.has('Sale price')).toBe(false);

    // Escape closes the dialog and focus returns to the button that opened it.
    await chat.page.keyboard.press('Escape');
    await compare.dialog.waitFor({ state: 'hidden' });
    await eventually(() => compare.openButton(2).evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('refuses a fifth product with a message, and an answer to "compare the first two" shows the table', async () => {
    const record = FIXTURE_PRODUCTS.find((p) => p.id === 'JKT-300');
    if (!record) throw new Error('no fixture JKT-300');
    await stack.server.app.products.upsertMany([
      { ...record, id: 'JKT-301', title: 'Drizzle Shell Jacket', priceMinor: 9900, salePriceMinor: null },
    ]);
    await chat.open(stack.url);
    stack.double.enqueueChat({
      chunks: text(
        'Try the [Ridgeback](product:TRL-100-42), [Summit](product:TRL-200-43), [Stormline](product:JKT-300), [Drizzle](product:JKT-301) or the [grinder](product:GRD-400).',
      ),
    });
    await chat.ask('Show me a bit of everything');
    await chat.waitForAnswerEnd();
    await eventually(() => chat.cards().count()).toBe(5);
    for (const name of [RIDGEBACK, SUMMIT, 'Stormline 2.5L Rain Jacket', 'Drizzle Shell Jacket'])
      await compare.tick(name).check();
    await compare.tick('Quietburr Conical Coffee Grinder').click();
    await compare.notice.waitFor();
    await expect(compare.notice.textContent()).resolves.toBe('You can compare up to 4 products. Remove one to add another.');
    await expect(compare.tick('Quietburr Conical Coffee Grinder').isChecked()).resolves.toBe(false);
    await expect(compare.openButton(4).isEnabled()).resolves.toBe(true);

    stack.double.enqueueChat({ chunks: text('Here are the first two side by side.') });
    await chat.ask('Compare the first two');
    await chat.waitForAnswerEnd();
    const inline = chat.lastAnswer.getByRole('table');
    await inline.waitFor();
    await expect(compare.columns(inline)).resolves.toEqual([`Northpeak${RIDGEBACK}`, `Alpenfold${SUMMIT}`]);
    const rows = await compare.rows(inline);
    expect(rows.get('Price')).toEqual({ differs: true, cells: ['$109.99', '$189.00'] });
  });
});
