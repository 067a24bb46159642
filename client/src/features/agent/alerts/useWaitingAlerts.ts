import { useEffect, useRef } from 'react';
import { useAgentStore } from '../agentStore';
import { beep, newlyWaiting, notifyWaiting, titleWithCount } from './waitingAlerts';

/**
 * Keeps the tab title's "(N) " count in step with the shoppers waiting for a person, and beeps
 * (when `isSoundOn`) and notifies (when allowed and hidden) as a new shopper starts waiting.
 */
export function useWaitingAlerts(isSoundOn: boolean): void {
  const waitingIds = useAgentStore((s) => s.waitingIds);
  const previous = useRef<readonly string[]>([]);
  const isSoundOnRef = useRef(isSoundOn);
  useEffect(() => {
    isSoundOnRef.current = isSoundOn;
  }, [isSoundOn]);

  useEffect(() => {
    document.title = titleWithCount(document.title, waitingIds.length);
    const arrived = newlyWaiting(previous.current, waitingIds);
    previous.current = waitingIds;
    if (arrived.length === 0) return;
    if (isSoundOnRef.current) beep();
    notifyWaiting();
  }, [waitingIds]);

  // Leaving the console (signing out) takes the count off the title.
  useEffect(() => () => void (document.title = titleWithCount(document.title, 0)), []);
}
