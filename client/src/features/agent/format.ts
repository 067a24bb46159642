import { formatMoney, type ConversationStatus } from '@aisle/shared';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "1 May 2025, 10:03". An unreadable date is shown as it came. */
export function formatDateTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateTime.format(ms);
}

/** "10:03:12", for messages inside one conversation. */
export function formatClock(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : timeWithSeconds.format(ms);
}

/** "12 May" for a YYYY-MM-DD day (a UTC calendar day, as the dashboard counts them). */
export function formatDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(ms) ? day : dayOnly.format(ms);
}

/** "5 minutes ago", "yesterday". */
export function formatRelative(iso: string, now: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), 'day');
  return dateTime.format(ms);
}

/** "850 ms", "1.24 s", or "–" when unknown. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "1,234", or "–" when unknown. */
export function formatCount(value: number | null): string {
  return value === null ? '–' : value.toLocaleString();
}

/** "63%", or "–" when there is nothing to divide. */
export function formatPercent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`;
}

/** "3 messages", "1 message". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

export const STATUS_LABELS: Record<ConversationStatus, string> = {
  active: 'Active',
  ended: 'Ended',
  waiting: 'Waiting for a person',
  taken_over: 'Taken over',
};

/** A calendar day as YYYY-MM-DD in UTC, the form the dashboard and date filters use. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The default dashboard range: the last 30 days, today included. */
export function last30Days(now: number): { from: string; to: string } {
  return { from: isoDay(now - 29 * 86_400_000), to: isoDay(now) };
}

/** A price for the trace; a currency code the browser does not know is shown as "12.50 XYZ". */
export function formatPrice(amountMinor: number, currency: string): string {
  try {
    return formatMoney({ amountMinor, currency });
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}
