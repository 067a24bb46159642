import type { Locator, Page } from 'playwright-core';
import { UI_TIMEOUT_MS } from '../support/wait';

/** The console's sign-in form (`/agent` while signed out), found by its labels as an agent finds it. */
export class AgentSignInPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly signInButton: Locator;
  /** The form's error ("Wrong email or password."). */
  readonly error: Locator;
  /** The console's first page once signed in. */
  readonly transcriptsHeading: Locator;

  constructor(readonly page: Page) {
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    this.email = page.getByRole('textbox', { name: 'Email', exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.signInButton = page.getByRole('button', { name: 'Sign in', exact: true });
    this.error = page.getByRole('alert');
    this.transcriptsHeading = page.getByRole('heading', { name: 'Transcripts', level: 1 });
  }

  /** Opens the console (`baseUrl` is the server's `/`) and waits for the sign-in form. */
  async open(baseUrl: string): Promise<void> {
    await this.page.goto(new URL('/agent', baseUrl).href);
    await this.email.waitFor();
  }

  /** Fills the form and clicks "Sign in"; does not wait for the outcome. */
  async submit(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.signInButton.click();
  }

  /** Submits the form and waits for the server's answer to it (so the error shown is this attempt's). */
  async submitAndWait(email: string, password: string): Promise<number> {
    const reply = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/agent/login');
    await this.submit(email, password);
    const status = (await reply).status();
    await this.signInButton.and(this.page.locator(':enabled')).waitFor();
    return status;
  }

  /** Opens the console and signs in, waiting until the transcript list is there. */
  async signIn(baseUrl: string, account: { email: string; password: string }): Promise<void> {
    await this.open(baseUrl);
    await this.submit(account.email, account.password);
    await this.transcriptsHeading.waitFor();
  }

  /** Who the console says is signed in (the header's account name). */
  signedInAs(name: string): Locator {
    return this.page.locator('.agent-who').filter({ hasText: `Signed in as ${name}` });
  }
}
