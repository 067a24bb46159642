import { expect } from 'vitest';

/** How long a test waits for a UI state. Generous: the CI machine may be busy; waiting ends as soon as the state is reached. */
export const UI_TIMEOUT_MS = 20_000;

/** Polls `read` until the matcher that follows passes (or UI_TIMEOUT_MS passes): `await eventually(() => x()).toBe(1)`. */
export function eventually<T>(read: () => T | Promise<T>, message?: string) {
  return expect.poll(read, { timeout: UI_TIMEOUT_MS, interval: 50, ...(message === undefined ? {} : { message }) });
}
