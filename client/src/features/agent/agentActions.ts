import type { AppErrorBody, Result } from '@aisle/shared';
import { createContext, useContext } from 'react';

/**
 * What console components can ask the live connection to do. Opening a conversation live is store
 * state instead (`beginWatch`/`endWatch`), so it works before the socket exists.
 */
export interface AgentActions {
  /** Fetches the watched transcript again (e.g. after an error). */
  rewatch(): void;
  takeOver(conversationId: string): Promise<Result<null>>;
  handBack(conversationId: string): Promise<Result<null>>;
  sendReply(conversationId: string, text: string): Promise<Result<{ messageId: string }>>;
}

/** What the UI shows when the live connection is not there to ask. */
export const NOT_CONNECTED: AppErrorBody = { code: 'internal', message: 'The console is not connected to the server.' };

/** Provided by the signed-in console, which owns the socket. */
export const AgentActionsContext = createContext<AgentActions | null>(null);

/** The live actions of the enclosing console. */
export function useAgentActions(): AgentActions {
  const actions = useContext(AgentActionsContext);
  if (actions === null) throw new Error('useAgentActions must be used inside <AgentActionsContext>');
  return actions;
}
