import { useEffect } from 'react';
import { getMe, onSessionLost } from './agentApi';
import { agentStore, useAgentStore, type SessionStatus } from './agentStore';
import { sessionEndedNotice } from './useAgentSocket';

/**
 * Finds out once whether this browser has an agent session, and sends the console back to sign-in
 * whenever a request is refused for want of one. Returns the session status.
 */
export function useSession(): SessionStatus {
  const session = useAgentStore((s) => s.session);

  useEffect(() => {
    if (agentStore.getState().session !== 'checking') return;
    let isCancelled = false;
    void getMe().then((result) => {
      if (isCancelled) return;
      if (result.ok) agentStore.getState().signedIn(result.data);
      else agentStore.getState().signedOut(result.error.code === 'unauthorized' ? null : result.error.message);
    });
    return () => {
      isCancelled = true;
    };
  }, []);

  useEffect(
    () =>
      onSessionLost(() => {
        if (agentStore.getState().session === 'signed-in') agentStore.getState().signedOut(sessionEndedNotice(''));
      }),
    [],
  );

  return session;
}
