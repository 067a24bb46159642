import { healthReplySchema, sessionInfoSchema, type HealthReply, type Result, type SessionInfo } from '@aisle/shared';
import { createApiClient } from '../../lib/api';

const request = createApiClient({ reader: 'the app', unreachableHint: 'Check that it is running, then reload the page.' });

/** Starts (or continues) the shopper's session; the server sets the httpOnly cookie if missing. */
export function getSession(): Promise<Result<SessionInfo>> {
  return request('/api/session', { schema: sessionInfoSchema });
}

/** Asks the server whether Ollama is reachable and the model is pulled. */
export function getHealth(): Promise<Result<HealthReply>> {
  return request('/api/health', { schema: healthReplySchema });
}
