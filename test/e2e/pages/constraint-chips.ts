import type { Locator } from 'playwright-core';

/**
 * The constraint chips under an answer ("What I looked for"), as a shopper finds them: by role and
 * accessible name. Each chip has a "Remove …" button; the price is edited in a small form.
 */
export class ConstraintChips {
  readonly region: Locator;

  constructor(readonly answer: Locator) {
    this.region = answer.getByRole('region', { name: 'What I looked for' });
  }

  /** The chips' labels, in order. */
  async labels(): Promise<string[]> {
    return (await this.region.locator('.chip-label').allTextContents()).map((t) => t.trim());
  }

  /** The remove button of the chip with this label. */
  removeButton(label: string): Locator {
    return this.region.getByRole('button', { name: `Remove ${label}`, exact: true });
  }

  /** Opens the price form (from the price chip, or "Set a price" when there is none), fills it and applies. */
  async setPrice(price: { lowest?: string; highest?: string }): Promise<void> {
    const edit = this.region.getByRole('button', { name: 'Edit price', exact: true });
    await ((await edit.count()) > 0 ? edit : this.region.getByRole('button', { name: 'Set a price', exact: true })).click();
    await this.region.getByRole('spinbutton', { name: 'Lowest price' }).fill(price.lowest ?? '');
    await this.region.getByRole('spinbutton', { name: 'Highest price' }).fill(price.highest ?? '');
    await this.region.getByRole('button', { name: 'Apply', exact: true }).click();
  }
}
