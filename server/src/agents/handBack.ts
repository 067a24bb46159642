import type { ChatService } from '../chat/chatService';
import type { AgentRow } from '../db/agentRepository';
import type { TranscriptRepository } from '../db/transcriptRepository';

/**
 * Returns every conversation an agent had taken over to the assistant: a disabled or removed agent
 * can no longer answer, and a shopper must not be left waiting on them.
 */
export function createHandBackAll(deps: { transcripts: TranscriptRepository; chat: Pick<ChatService, 'handBack'> }) {
  return async function handBackAll(agent: AgentRow): Promise<void> {
    for (const c of await deps.transcripts.takenOverBy(agent.id))
      await deps.chat.handBack(c.id, { id: agent.id, name: agent.name });
  };
}
