import type { Locator, Page } from 'playwright-core';

/**
 * The suggestions under an answer, the cards' "Compare" ticks and the comparison table, found as a
 * shopper finds them: by role and accessible name.
 */
export class ComparePanel {
  readonly dialog: Locator;
  readonly table: Locator;
  readonly closeButton: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Compare products' });
    this.table = this.dialog.getByRole('table');
    this.closeButton = this.dialog.getByRole('button', { name: 'Close', exact: true });
    this.notice = page.getByRole('status').filter({ hasText: 'You can compare up to' });
  }

  /** The suggestions list of an answer (only the latest answer has one). */
  suggestions(answer: Locator): Locator {
    return answer.getByRole('list', { name: 'Suggestions' }).getByRole('button');
  }

  /** The "Compare <product name>" tick on a card. */
  tick(productName: string): Locator {
    return this.page.getByRole('checkbox', { name: `Compare ${productName}`, exact: true });
  }

  /** "Compare (n)". */
  openButton(count: number): Locator {
    return this.page.getByRole('button', { name: `Compare (${count})`, exact: true });
  }

  /** The header cells of a table's columns (its products), in order. */
  async columns(table: Locator = this.table): Promise<string[]> {
    return table.locator('thead th[scope="col"]').allTextContents();
  }

  /**
   * A table's rows as the shopper reads them: the row header (with "Differs" when marked) and each
   * product's cell, keyed by the attribute's name.
   */
  async rows(table: Locator = this.table): Promise<Map<string, { differs: boolean; cells: string[] }>> {
    const rows = table.locator('tbody tr');
    const out = new Map<string, { differs: boolean; cells: string[] }>();
    for (let i = 0; i < (await rows.count()); i += 1) {
      const row = rows.nth(i);
      const header = (await row.locator('th[scope="row"]').textContent()) ?? '';
      const differs = header.endsWith('Differs');
      out.set(differs ? header.slice(0, -'Differs'.length) : header, {
        differs,
        cells: await row.locator('td').allTextContents(),
      });
    }
    return out;
  }
}
