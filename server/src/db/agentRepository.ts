import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { isUniqueViolation, nowIso, type Database } from './database';
import type { AgentsTable } from './schema';

export type AgentRow = Selectable<AgentsTable>;

/** Thrown when an account with the same email exists. */
export class AgentExistsError extends Error {
  constructor(email: string) {
    super(`An agent with the email ${email} already exists.`);
    this.name = 'AgentExistsError';
  }
}

/** Emails compare without case or surrounding spaces. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates the repository for agent accounts and their sessions. */
export function createAgentRepository(db: Database) {
  const { kysely } = db;

  return {
    async create(input: { email: string; name: string; role: 'agent' | 'admin'; passwordHash: string }): Promise<AgentRow> {
      const at = nowIso();
      const row: AgentRow = {
        id: randomUUID(),
        email: normaliseEmail(input.email),
        name: input.name.trim(),
        role: input.role,
        password_hash: input.passwordHash,
        disabled: 0,
        created_at: at,
        updated_at: at,
      };
      try {
        await kysely.insertInto('agents').values(row).execute();
      } catch (err) {
        // The unique index decides, so two admins adding the same person at once get one account.
        if (isUniqueViolation(err)) throw new AgentExistsError(row.email);
        throw err;
      }
      return row;
    },

    async findByEmail(email: string): Promise<AgentRow | undefined> {
      return kysely.selectFrom('agents').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
    },

    async getById(id: string): Promise<AgentRow | undefined> {
      return kysely.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Every account, oldest first. */
    async list(): Promise<AgentRow[]> {
      return kysely.selectFrom('agents').selectAll().orderBy('created_at').orderBy('email').execute();
    },

    async update(
      id: string,
      update: { disabled?: boolean; role?: 'agent' | 'admin'; passwordHash?: string; name?: string },
    ): Promise<AgentRow | undefined> {
      await kysely
        .updateTable('agents')
        .set({
          updated_at: nowIso(),
          ...(update.disabled !== undefined ? { disabled: update.disabled ? 1 : 0 } : {}),
          ...(update.role !== undefined ? { role: update.role } : {}),
          ...(update.name !== undefined ? { name: update.name.trim() } : {}),
          ...(update.passwordHash !== undefined ? { password_hash: update.passwordHash } : {}),
        })
        .where('id', '=', id)
        .execute();
      return kysely.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Removes the account; its sessions go with it (notes and messages keep the author's name). */
    async delete(id: string): Promise<boolean> {
      const res = await kysely.deleteFrom('agents').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    async createSession(input: { idHash: string; agentId: string; expiresAt: string }): Promise<void> {
      const at = nowIso();
      await kysely
        .insertInto('agent_sessions')
        .values({ id_hash: input.idHash, agent_id: input.agentId, created_at: at, last_seen_at: at, expires_at: input.expiresAt })
        .execute();
    },

    /** The live session with this hash and its (enabled) agent; expired sessions are removed on sight. */
    async findSession(idHash: string): Promise<{ createdAt: string; lastSeenAt: string; agent: AgentRow } | undefined> {
      const row = await kysely
        .selectFrom('agent_sessions as s')
        .innerJoin('agents as a', 'a.id', 's.agent_id')
        .selectAll('a')
        .select([
          's.created_at as session_created_at',
          's.last_seen_at as session_last_seen_at',
          's.expires_at as session_expires_at',
        ])
        .where('s.id_hash', '=', idHash)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.session_expires_at <= nowIso() || row.disabled) {
        await kysely.deleteFrom('agent_sessions').where('id_hash', '=', idHash).execute();
        return undefined;
      }
      const { session_created_at, session_last_seen_at, session_expires_at: _expires, ...agent } = row;
      return { createdAt: session_created_at, lastSeenAt: session_last_seen_at, agent };
    },

    /** Slides a session's expiry forward. */
    async touchSession(idHash: string, expiresAt: string): Promise<void> {
      await kysely
        .updateTable('agent_sessions')
        .set({ last_seen_at: nowIso(), expires_at: expiresAt })
        .where('id_hash', '=', idHash)
        .execute();
    },

    async deleteSession(idHash: string): Promise<void> {
      await kysely.deleteFrom('agent_sessions').where('id_hash', '=', idHash).execute();
    },

    /** Ends every session of one agent (disabled, removed, or password changed). */
    async deleteSessionsOf(agentId: string): Promise<void> {
      await kysely.deleteFrom('agent_sessions').where('agent_id', '=', agentId).execute();
    },

    async deleteExpiredSessions(): Promise<number> {
      const res = await kysely.deleteFrom('agent_sessions').where('expires_at', '<=', nowIso()).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export type AgentRepository = ReturnType<typeof createAgentRepository>;
