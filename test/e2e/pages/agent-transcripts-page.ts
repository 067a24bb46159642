import type { Locator, Page } from 'playwright-core';
import { UI_TIMEOUT_MS } from '../support/wait';

/** The console's transcript list (`/agent`): search, filters and one row per conversation. */
export class AgentTranscriptsPage {
  readonly heading: Locator;
  readonly search: Locator;
  readonly searchButton: Locator;
  readonly status: Locator;
  readonly errors: Locator;
  readonly flagged: Locator;
  readonly label: Locator;
  readonly clearFilters: Locator;
  /** The results region ("Conversations"); `aria-busy` while a page of results loads. */
  readonly results: Locator;
  /** One link per row, named by the shopper's first message, in the order shown. */
  readonly rowLinks: Locator;
  /** Highlighted search hits in the rows. */
  readonly hits: Locator;

  constructor(readonly page: Page) {
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    this.heading = page.getByRole('heading', { name: 'Transcripts', level: 1 });
    this.search = page.getByRole('searchbox', { name: 'Search transcripts', exact: true });
    this.searchButton = page.getByRole('button', { name: 'Search', exact: true });
    this.status = page.getByRole('combobox', { name: 'Status', exact: true });
    this.errors = page.getByRole('combobox', { name: 'Errors', exact: true });
    this.flagged = page.getByRole('combobox', { name: 'Flagged', exact: true });
    this.label = page.getByRole('combobox', { name: 'Label', exact: true });
    this.clearFilters = page.getByRole('button', { name: 'Clear filters', exact: true });
    this.results = page.getByRole('region', { name: 'Conversations', exact: true });
    this.rowLinks = this.results.getByRole('link');
    this.hits = this.results.locator('mark');
  }

  /** Opens the list (the agent must be signed in in this context). */
  async open(baseUrl: string): Promise<void> {
    await this.page.goto(new URL('/agent', baseUrl).href);
    await this.results.waitFor();
  }

  /** The rows' titles (the shopper's first messages), top to bottom, once the list is not loading. */
  async titles(): Promise<string[]> {
    await this.results.and(this.page.locator('[aria-busy="false"]')).waitFor();
    return (await this.rowLinks.allTextContents()).map((title) => title.trim());
  }

  /** Types a search and presses Enter. */
  async searchFor(words: string): Promise<void> {
    await this.search.fill(words);
    await this.search.press('Enter');
  }

  /** The row (list item) whose link is the given first message. */
  row(firstMessage: string): Locator {
    return this.results.getByRole('listitem').filter({ has: this.page.getByRole('link', { name: firstMessage, exact: true }) });
  }

  /** The labels a row shows. */
  rowLabels(firstMessage: string): Locator {
    return this.row(firstMessage).getByRole('list', { name: 'Labels' }).getByRole('listitem');
  }

  /** Opens a conversation from its row. */
  async openTranscript(firstMessage: string): Promise<void> {
    await this.results.getByRole('link', { name: firstMessage, exact: true }).click();
  }
}
