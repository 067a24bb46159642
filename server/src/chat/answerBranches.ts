import {
  MAX_MESSAGE_CHARS,
  fail,
  ok,
  type ChatEditPayload,
  type ChatMessage,
  type ChatSendReply,
  type Result,
} from '@aisle/shared';
import type { RateAction } from '../capacity/rateLimits';
import type { LoadedConfig } from '../config/loadConfig';
import type { ConversationRepository, ConversationRow, MessageRow } from '../db/conversationRepository';
import { startGeneration, type AnswerClient, type AnswerGenerationDeps } from './answerGeneration';
import type { ChatObserver } from './chatEvents';
import type { LiveGenerations } from './liveGenerations';
import { presentMessage } from './messagePresenter';
import { modelFor } from './modelChoice';

/**
 * Branches of a conversation (issue 11): answers regenerated for one shopper message, kept as
 * alternatives the shopper pages through, and the shopper's last message edited and resent. Both keep
 * the earlier rows (agents see them) and hide them from the shopper with `replaced_by`; the model's
 * history is built from the rows still shown, so it only ever sees the alternative the shopper sees.
 */

/**
 * Whether a regenerated answer is kept as an alternative: one with something to read. An error, or an
 * answer stopped before it said anything, is simply replaced as a retry always did.
 */
export function isKeptAsAlternative(row: MessageRow): boolean {
  const hasContent = row.content.trim() !== '' || (row.products !== null && row.products !== '[]');
  return (row.status === 'complete' || row.status === 'stopped') && hasContent;
}

/**
 * The group a regenerated answer joins: the replaced answer's group, or a new one named after the
 * replaced answer when it is worth keeping; null when there is nothing to page back to.
 */
export function alternativeGroupFor(replaced: MessageRow): string | null {
  return replaced.alternative_group ?? (isKeptAsAlternative(replaced) ? replaced.id : null);
}

/**
 * The messages the shopper sees, each answer with its earlier alternatives (oldest first). `present`
 * turns rows into messages (with cards at today's prices); it is called once with every row needed.
 */
export async function shownWithAlternatives(
  rows: readonly MessageRow[],
  present: (rows: readonly MessageRow[]) => Promise<ChatMessage[]>,
): Promise<ChatMessage[]> {
  const shown = rows.filter((r) => r.replaced_by === null);
  const alternativesOf = new Map<string, MessageRow[]>();
  for (const row of shown) {
    const group = row.alternative_group;
    if (row.role !== 'assistant' || group === null) continue;
    const earlier = rows.filter(
      (r) => r.alternative_group === group && r.id !== row.id && r.replaced_by !== null && isKeptAsAlternative(r),
    );
    if (earlier.length > 0) alternativesOf.set(row.id, earlier);
  }
  const extra = [...alternativesOf.values()].flat();
  const presented = await present([...shown, ...extra]);
  const byId = new Map(presented.map((m) => [m.id, m]));
  return presented.slice(0, shown.length).map((message) => {
    const earlier = alternativesOf.get(message.id);
    if (earlier === undefined) return message;
    return { ...message, alternatives: earlier.flatMap((r) => byId.get(r.id) ?? []) };
  });
}

export interface EditDeps {
  conversations: ConversationRepository;
  live: LiveGenerations;
  generation: AnswerGenerationDeps;
  config: () => LoadedConfig;
  notify: (call: (observer: ChatObserver) => void) => void;
  charge: (sessionHash: string, action: RateAction) => Promise<Result<never> | null>;
  ownedConversation: (sessionHash: string, conversationId: string) => Promise<ConversationRow | null>;
}

/** Edit and resend: the shopper's last message replaced by a new one, which gets a new answer. */
export function createEdits(deps: EditDeps) {
  const { conversations, live } = deps;

  async function editUnlocked(
    conversation: ConversationRow,
    payload: ChatEditPayload,
    text: string,
    beforeStart: (conversationId: string) => Promise<void>,
    client: AnswerClient,
  ): Promise<Result<ChatSendReply>> {
    const visible = await conversations.listMessages(conversation.id, { visibleOnly: true });
    const lastUser = [...visible].reverse().find((m) => m.role === 'user');
    if (!lastUser || lastUser.id !== payload.messageId) {
      return fail('bad-request', 'Only your last message can be edited.');
    }
    // A person's reply to it is part of the record the shopper saw: it is not swept away by an edit.
    if (visible.some((m) => m.seq > lastUser.seq && m.role === 'agent')) {
      return fail('bad-request', 'A member of our team already replied to that message.', 'Send a new message instead.');
    }
    // An edit costs a model call like a message: same budget, same line in front of the model.
    const limited = await deps.charge(conversation.session_hash, 'send');
    if (limited) return limited;
    const loaded = deps.config();
    const { message: userRow, isDuplicate } = await conversations.insertUserMessage({
      conversationId: conversation.id,
      clientMessageId: payload.clientMessageId,
      content: text,
    });
    if (isDuplicate) return fail('bad-request', 'This edit was already sent.');
    // The earlier message and everything after it (its answers) stay for agents, hidden from the shopper.
    await conversations.replaceFrom(conversation.id, lastUser.seq, userRow.id);
    deps.notify((o) => o.messageStored?.(userRow));
    const assistant = await conversations.insertAssistantMessage({
      conversationId: conversation.id,
      model: modelFor(conversation, loaded),
      configVersion: loaded.version,
    });
    const history = (await conversations.listMessages(conversation.id, { visibleOnly: true })).filter(
      (m) => m.id !== assistant.id,
    );
    await beforeStart(conversation.id);
    startGeneration(deps.generation, loaded, conversation, assistant.id, history, text, client);
    return ok({ conversationId: conversation.id, userMessage: presentMessage(userRow), assistantMessageId: assistant.id });
  }

  return {
    /** Replaces the shopper's last message (and its answers) with new text and answers that. */
    async edit(
      sessionHash: string,
      payload: ChatEditPayload,
      beforeStart: (conversationId: string) => Promise<void>,
      client: AnswerClient,
    ): Promise<Result<ChatSendReply>> {
      const text = payload.text.trim();
      const cap = Math.min(deps.config().config.chat.maxMessageChars, MAX_MESSAGE_CHARS);
      if (text.length === 0) return fail('bad-request', 'Type a message first.');
      if (text.length > cap) {
        return fail(
          'message-too-long',
          `Your message is ${text.length.toLocaleString('en')} characters; the limit is ${cap.toLocaleString('en')}.`,
          'Shorten it and send again.',
        );
      }
      const conversation = await deps.ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.', 'Start a new chat.');
      if (conversation.status === 'taken_over') {
        return fail('taken-over', 'A member of our team is answering this conversation.', 'Send a new message instead.');
      }
      if (live.isBusy(conversation.id)) {
        return fail('answer-in-progress', 'Please wait for the current answer to finish, or stop it.');
      }
      return live.whileStarting(conversation.id, () => editUnlocked(conversation, payload, text, beforeStart, client));
    },
  };
}
