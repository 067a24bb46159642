import { randomBytes } from 'node:crypto';
import { hashToken } from '../lib/tokens';
import type { Agent, AgentRole } from '@aisle/shared';
import { normaliseEmail, type AgentRepository, type AgentRow } from '../db/agentRepository';
import { createLoginThrottle, type Clock } from './loginThrottle';
import { dummyHash, hashPassword, verifyPassword } from './passwords';

/** Login throttling and session lifetimes. */
export interface AgentAuthOptions {
  /** Failed sign-ins are counted over this window; a locked account or address unlocks when it ends. */
  loginWindowSeconds: number;
  /** Failures per account (by email, existing or not) before sign-in answers 429 for the window. */
  maxFailuresPerAccount: number;
  /** Failures per client address, across accounts. */
  maxFailuresPerAddress: number;
  /** A session unused this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, however busy. */
  sessionMaxMs: number;
}

export const DEFAULT_AGENT_AUTH_OPTIONS: AgentAuthOptions = {
  loginWindowSeconds: 15 * 60,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
  sessionIdleMs: 12 * 60 * 60 * 1000,
  sessionMaxMs: 7 * 24 * 60 * 60 * 1000,
};

/** What a sign-in attempt came to. */
export type LoginOutcome =
  | { kind: 'signed-in'; agent: AgentRow; token: string; sessionHash: string }
  | { kind: 'wrong-credentials' }
  | { kind: 'disabled' }
  | { kind: 'rate-limited'; retryAfterSeconds: number };

/** The database keeps only this hash of a session token (the same hash as shopper sessions). */
export const hashSessionToken = hashToken;

/** An account as the console sees it (never the password hash). */
export function presentAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role === 'admin' ? 'admin' : 'agent',
    disabled: row.disabled === 1,
    createdAt: row.created_at,
  };
}

/**
 * Sign-in, sessions and accounts for the agent console. `clock` tells the time for login locks and
 * session expiry (tests move it on instead of waiting out a lock).
 */
export function createAgentAuth(deps: { agents: AgentRepository; options?: Partial<AgentAuthOptions>; clock?: Clock }) {
  const { agents } = deps;
  const clock = deps.clock ?? Date;
  const options = { ...DEFAULT_AGENT_AUTH_OPTIONS, ...deps.options };
  const windowMs = options.loginWindowSeconds * 1000;
  const byAccount = createLoginThrottle({ limit: options.maxFailuresPerAccount, windowMs, clock });
  const byAddress = createLoginThrottle({ limit: options.maxFailuresPerAddress, windowMs, clock });
  // Computed now, so the first sign-in with an unknown email is not faster than later ones.
  void dummyHash();

  const expiry = (createdAt: number, now: number) =>
    new Date(Math.min(createdAt + options.sessionMaxMs, now + options.sessionIdleMs)).toISOString();

  return {
    options,

    /**
     * Checks the password (against a dummy hash when the account does not exist, so both cases take
     * as long and answer the same), counts failures per account and per address, and on success starts
     * a new session, ending the one the browser had before (the session id rotates at sign-in).
     */
    async login(input: {
      email: string;
      password: string;
      address: string;
      previousToken: string | null;
    }): Promise<LoginOutcome> {
      const accountKey = normaliseEmail(input.email);
      const wait = Math.max(byAccount.lockedFor(accountKey), byAddress.lockedFor(input.address));
      if (wait > 0) return { kind: 'rate-limited', retryAfterSeconds: Math.ceil(wait / 1000) };

      const agent = await agents.findByEmail(accountKey);
      const matches = await verifyPassword(agent?.password_hash ?? (await dummyHash()), input.password);
      if (!agent || !matches) {
        byAccount.fail(accountKey);
        byAddress.fail(input.address);
        return { kind: 'wrong-credentials' };
      }
      if (agent.disabled) return { kind: 'disabled' };
      byAccount.reset(accountKey);

      if (input.previousToken) await agents.deleteSession(hashSessionToken(input.previousToken));
      const token = randomBytes(32).toString('base64url');
      const sessionHash = hashSessionToken(token);
      const now = clock.now();
      await agents.createSession({ idHash: sessionHash, agentId: agent.id, expiresAt: expiry(now, now) });
      return { kind: 'signed-in', agent, token, sessionHash };
    },

    /** The signed-in agent for a session hash, or null; keeps a busy session alive unless `touch: false`. */
    async authenticate(sessionHash: string, options: { touch?: boolean } = {}): Promise<AgentRow | null> {
      const found = await agents.findSession(sessionHash);
      if (!found) return null;
      const now = clock.now();
      // Writing on every request would turn each read into a write; a minute's precision is plenty.
      if (options.touch !== false && now - Date.parse(found.lastSeenAt) > 60_000)
        await agents.touchSession(sessionHash, expiry(Date.parse(found.createdAt), now));
      return found.agent;
    },

    /** Ends one session. */
    async logout(sessionHash: string): Promise<void> {
      await agents.deleteSession(sessionHash);
    },

    /** Creates an account; throws `AgentExistsError` when the email is taken. */
    async createAccount(input: { email: string; name: string; role: AgentRole; password: string }): Promise<AgentRow> {
      return agents.create({
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash: await hashPassword(input.password),
      });
    },
  };
}

export type AgentAuth = ReturnType<typeof createAgentAuth>;
