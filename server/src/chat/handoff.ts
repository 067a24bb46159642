import { fail, ok, type ChatLeaveEmailPayload, type ChatStopPayload, type Result } from '@aisle/shared';
import type { ConversationRepository, ConversationRow } from '../db/conversationRepository';
import type { ConversationBroadcast, NotifyObservers } from './chatEvents';
import { StopSignal, type LiveGenerations } from './liveGenerations';
import { presentMessage } from './messagePresenter';

/**
 * Hand-off between the assistant and a person: the shopper asks for one, an agent takes the
 * conversation over (stopping any answer being written), replies, and hands it back. Every change
 * is stored first, then delivered to the conversation and to observers.
 */

/** An agent of the shop, as the hand-off records and shows them. */
export interface HandoffAgent {
  id: string;
  name: string;
}

/** The hand-off operations of one chat service. */
export function createHandoff(deps: {
  conversations: ConversationRepository;
  live: LiveGenerations;
  broadcast: ConversationBroadcast;
  notify: NotifyObservers;
  /** The conversation when it belongs to the session, else null. */
  ownedConversation: (sessionHash: string, conversationId: string) => Promise<ConversationRow | null>;
}) {
  const { conversations, live, broadcast, notify } = deps;

  /** A visible, stored line in the conversation (who joined or left), delivered live. */
  async function postNotice(conversationId: string, content: string): Promise<void> {
    const row = await conversations.insertSystemMessage({ conversationId, content });
    broadcast(conversationId, 'chat:message', { conversationId, message: presentMessage(row) });
    notify((o) => o.messageStored?.(row));
  }

  return {
    /** The shopper asks for a person: the conversation waits for an agent (the assistant keeps helping). */
    async requestHuman(sessionHash: string, payload: ChatStopPayload): Promise<Result<null>> {
      const conversation = await deps.ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status !== 'taken_over') {
        await conversations.setConversationStatus(conversation.id, 'waiting');
        broadcast(conversation.id, 'chat:handoff', { conversationId: conversation.id, state: 'waiting' });
        notify((o) => o.conversationChanged?.(conversation.id));
      }
      return ok(null);
    },

    /**
     * No agent is online: the shopper leaves an email for a person to reply to. Stored on the
     * conversation (agents see it masked, and filter on it); the shopper is told when to expect a reply.
     */
    async leaveEmail(
      sessionHash: string,
      payload: ChatLeaveEmailPayload,
      replyText: string,
    ): Promise<Result<{ replyText: string }>> {
      const conversation = await deps.ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      await conversations.leaveContactEmail(conversation.id, { email: payload.email, note: payload.note?.trim() || null });
      await postNotice(conversation.id, `Thanks, a member of our team will reply to your email. ${replyText}`);
      notify((o) => o.conversationChanged?.(conversation.id));
      return ok({ replyText });
    },

    /** A person takes the conversation over: any answer being written stops, the assistant stays quiet. */
    async takeOver(conversationId: string, agent: HandoffAgent): Promise<Result<null>> {
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status === 'taken_over' && conversation.taken_over_by !== agent.id) {
        return fail('taken-over', `${conversation.taken_over_name ?? 'Another agent'} is already answering this conversation.`);
      }
      await conversations.setConversationStatus(conversationId, 'taken_over', agent);
      const generation = live.get(conversationId);
      if (generation) {
        generation.controller.abort(new StopSignal('taken-over'));
        await generation.done;
      } else {
        // Several nodes: the answer may run on another one.
        await live.share?.stop(conversationId, 'taken-over');
      }
      broadcast(conversationId, 'chat:handoff', { conversationId, state: 'agent-joined', agentName: agent.name });
      await postNotice(conversationId, `${agent.name} joined the chat.`);
      notify((o) => o.conversationChanged?.(conversationId));
      return ok(null);
    },

    /** The person hands the conversation back to the assistant. */
    async handBack(conversationId: string, agent: HandoffAgent): Promise<Result<null>> {
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status !== 'taken_over' || conversation.taken_over_by !== agent.id) {
        return fail('forbidden', 'Only the agent who took this conversation over can hand it back.');
      }
      await conversations.setConversationStatus(conversationId, 'active');
      broadcast(conversationId, 'chat:handoff', { conversationId, state: 'agent-left', agentName: agent.name });
      await postNotice(conversationId, `${agent.name} left the chat. The assistant is back.`);
      notify((o) => o.conversationChanged?.(conversationId));
      return ok(null);
    },

    /** A person's reply, stored first, then delivered live to the shopper. */
    async agentSend(conversationId: string, agent: HandoffAgent, text: string): Promise<Result<{ messageId: string }>> {
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status !== 'taken_over' || conversation.taken_over_by !== agent.id) {
        return fail('forbidden', 'Take the conversation over before replying.');
      }
      const row = await conversations.insertAgentMessage({
        conversationId,
        authorId: agent.id,
        authorName: agent.name,
        content: text,
      });
      broadcast(conversationId, 'chat:message', { conversationId, message: presentMessage(row) });
      notify((o) => o.messageStored?.(row));
      return ok({ messageId: row.id });
    },
  };
}
