import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium; `CHROMIUM_PATH` points elsewhere. Playwright's own browser downloads are never used. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** The Chromium executable to drive, or a clear error telling the user how to get one. */
export function chromiumPath(): string {
  const executable = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
  if (!fs.existsSync(executable)) {
    throw new Error(
      `Chromium not found at ${executable}. The browser tests use the system Chromium: install it with ` +
        '`sudo apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome executable.',
    );
  }
  return executable;
}

/**
 * Launches headless Chromium (one per test file). `extraArgs` adds flags for one file, e.g. the widget's
 * tests block third-party cookies (`--test-third-party-cookie-phaseout`) as browsers now do.
 */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...LAUNCH_ARGS, ...extraArgs] });
}

/** The widget's panel runs in a third-party frame: its tests launch Chromium with those cookies blocked. */
export const BLOCK_THIRD_PARTY_COOKIES = ['--test-third-party-cookie-phaseout'];

/**
 * A fresh browser context (own cookies and storage: a new shopper) for one test. Reduced motion makes
 * scrolling instant, so a test never reads a position half-way through a smooth scroll.
 */
export function newShopperContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', ...options });
}
