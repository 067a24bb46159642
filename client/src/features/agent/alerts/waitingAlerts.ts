/**
 * Telling an agent that shoppers wait for a person: a count in the tab title, an optional beep and an
 * optional browser notification. The pieces here are plain functions; `useWaitingAlerts` wires them.
 */

const COUNT_PREFIX = /^\(\d+\) /;

/** The tab title with the number of waiting shoppers in front, or the plain title when none wait. */
export function titleWithCount(title: string, waiting: number): string {
  const base = title.replace(COUNT_PREFIX, '');
  return waiting > 0 ? `(${waiting}) ${base}` : base;
}

/** Ids in `now` that were not in `before`: shoppers who just started waiting. */
export function newlyWaiting(before: readonly string[], now: readonly string[]): string[] {
  const seen = new Set(before);
  return now.filter((id) => !seen.has(id));
}

const SOUND_KEY = 'aisle.agent.sound';

/** Whether the agent turned the beep on (off unless they did); storage may be unavailable. */
export function readSoundPreference(): boolean {
  try {
    return globalThis.localStorage.getItem(SOUND_KEY) === 'on';
  } catch {
    return false;
  }
}

/** Remembers the agent's choice for the next visit, where the browser allows it. */
export function writeSoundPreference(isOn: boolean): void {
  try {
    globalThis.localStorage.setItem(SOUND_KEY, isOn ? 'on' : 'off');
  } catch {
    // Private modes may refuse storage: the toggle still works for this visit.
  }
}

let audio: AudioContext | null = null;

/** A short, quiet beep through WebAudio (no sound file to serve or cache). */
export function beep(): void {
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.value = 0.08;
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.15);
}

/** The words of the browser notification. */
export const WAITING_NOTIFICATION = 'A shopper is waiting for a person';

/** Shows the notification when the agent allowed them and is looking at another tab. */
export function notifyWaiting(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (!document.hidden) return;
  // One tag: several shoppers arriving while the tab is hidden replace each other instead of piling up.
  new Notification(WAITING_NOTIFICATION, { tag: 'aisle-waiting' });
}
