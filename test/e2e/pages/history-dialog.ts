import type { Locator, Page } from 'playwright-core';

/**
 * The chat header's History dialog and the conveniences under messages (issue 11), found as a shopper
 * finds them: by role and accessible name.
 */
export class HistoryDialog {
  readonly openButton: Locator;
  readonly dialog: Locator;
  readonly entries: Locator;
  readonly closeButton: Locator;

  constructor(readonly page: Page) {
    this.openButton = page.getByRole('button', { name: 'History', exact: true });
    this.dialog = page.getByRole('dialog', { name: 'Your conversations' });
    this.entries = this.dialog.getByRole('listitem');
    this.closeButton = this.dialog.getByRole('button', { name: 'Close history', exact: true });
  }

  /** Opens the dialog and waits until its list (or "No conversations yet.") is there. */
  async open(): Promise<void> {
    await this.openButton.click();
    await this.dialog.waitFor();
    await this.dialog.getByText('Loading your conversations…').waitFor({ state: 'detached' });
  }

  /** The button that reopens a conversation, by its title (the first message). */
  entry(title: string): Locator {
    return this.dialog.getByRole('button', { name: new RegExp(`^${escapeRegExp(title)}`) });
  }

  /** The titles listed, newest first. */
  async titles(): Promise<string[]> {
    return this.dialog.locator('.history-title').allTextContents();
  }

  /** Deletes a conversation: "Delete “title”", then the confirmation's Delete. */
  async delete(title: string): Promise<void> {
    await this.dialog.getByRole('button', { name: `Delete “${title}”`, exact: true }).click();
    await this.dialog
      .getByRole('group', { name: `Delete “${title}” from your history?` })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
  }
}

/** The alternatives pager, Copy and Regenerate under an answer, and Edit on the shopper's last message. */
export function answerControls(answer: Locator) {
  return {
    previous: answer.getByRole('button', { name: 'Previous answer', exact: true }),
    next: answer.getByRole('button', { name: 'Next answer', exact: true }),
    position: answer.locator('.answer-position'),
    copy: answer.getByRole('button', { name: 'Copy answer', exact: true }),
    regenerate: answer.getByRole('button', { name: 'Regenerate', exact: true }),
    // The answer's own live region for Copy: the chips under the answer have theirs too.
    status: answer.locator('.answer-actions').getByRole('status'),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
