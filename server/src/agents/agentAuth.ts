import { randomBytes } from 'node:crypto';
import { hashToken } from '../lib/tokens';
import type { Agent, AgentRole } from '@aisle/shared';
import { normaliseEmail, type AgentRepository, type AgentRow } from '../db/agentRepository';
import { createBackoff, createKnownAddresses, createLoginThrottle, type Clock } from './loginThrottle';
import { dummyHash, hashPassword, verifyPassword } from './passwords';

/** Login throttling and session lifetimes. */
export interface AgentAuthOptions {
  /** Failed sign-ins are counted over this window; a locked account-and-address pair or address unlocks when it ends. */
  loginWindowSeconds: number;
  /** Failures for one account from one address before that pair answers 429 for the window. */
  maxFailuresPerAccountAndAddress: number;
  /** Failures per client address, across accounts. */
  maxFailuresPerAddress: number;
  /** Failures per account, from any address, before every further attempt has to wait (backoff). */
  accountBackoffAfter: number;
  /** The first wait once the account backoff starts; it doubles with every further failure. */
  accountBackoffBaseMs: number;
  /** The longest wait the account backoff asks for. */
  accountBackoffMaxMs: number;
  /** A session unused this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, however busy. */
  sessionMaxMs: number;
}

export const DEFAULT_AGENT_AUTH_OPTIONS: AgentAuthOptions = {
  loginWindowSeconds: 15 * 60,
  maxFailuresPerAccountAndAddress: 5,
  maxFailuresPerAddress: 20,
  accountBackoffAfter: 5,
  accountBackoffBaseMs: 1000,
  accountBackoffMaxMs: 60_000,
  sessionIdleMs: 12 * 60 * 60 * 1000,
  sessionMaxMs: 7 * 24 * 60 * 60 * 1000,
};

/** How long an address an agent signed in from stays exempt from the account backoff. */
const KNOWN_ADDRESS_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** What a sign-in attempt came to. A disabled account is `wrong-credentials` too, so nobody can tell. */
export type LoginOutcome =
  | { kind: 'signed-in'; agent: AgentRow; token: string; sessionHash: string }
  | {
      kind: 'wrong-credentials';
      /** Set when the password was right but the account is disabled (for the log). */ disabledAgentId?: string;
    }
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
  const byPair = createLoginThrottle({ limit: options.maxFailuresPerAccountAndAddress, windowMs, clock });
  const byAddress = createLoginThrottle({ limit: options.maxFailuresPerAddress, windowMs, clock });
  const byAccount = createBackoff({
    freeFailures: options.accountBackoffAfter,
    baseMs: options.accountBackoffBaseMs,
    maxMs: options.accountBackoffMaxMs,
    forgetAfterMs: windowMs,
    clock,
  });
  const knownAddresses = createKnownAddresses({ ttlMs: KNOWN_ADDRESS_TTL_MS, perAccount: 20, clock });
  // Computed now, so the first sign-in with an unknown email is not faster than later ones.
  void dummyHash();

  const expiry = (createdAt: number, now: number) =>
    new Date(Math.min(createdAt + options.sessionMaxMs, now + options.sessionIdleMs)).toISOString();

  return {
    options,

    /**
     * Checks the password (against a dummy hash when the account does not exist, so both cases take
     * as long and answer the same), and on success starts a new session, ending the one the browser had
     * before (the session id rotates at sign-in).
     *
     * Every attempt is charged as a failure before the slow Argon2 check and refunded when it succeeds:
     * the check and the charge happen in one synchronous step, so parallel guesses cannot all slip in
     * before the first is counted. Limits: per account and address (a lock for the window), per address
     * across accounts (a lock for the window), and per account from anywhere (a backoff capped at
     * `accountBackoffMaxMs`, which an address the account signed in from lately skips). So one address
     * cannot guess much, many addresses only slowly, and nobody can lock the real agent out.
     */
    async login(input: {
      email: string;
      password: string;
      address: string;
      previousToken: string | null;
    }): Promise<LoginOutcome> {
      const accountKey = normaliseEmail(input.email);
      const pairKey = `${accountKey}\n${input.address}`;
      const isKnownAddress = knownAddresses.has(accountKey, input.address);
      const wait = Math.max(
        byPair.lockedFor(pairKey),
        byAddress.lockedFor(input.address),
        isKnownAddress ? 0 : byAccount.waitFor(accountKey),
      );
      if (wait > 0) return { kind: 'rate-limited', retryAfterSeconds: Math.ceil(wait / 1000) };
      byPair.fail(pairKey);
      byAddress.fail(input.address);
      byAccount.fail(accountKey);

      const agent = await agents.findByEmail(accountKey);
      const matches = await verifyPassword(agent?.password_hash ?? (await dummyHash()), input.password);
      // A disabled account stays charged: the right password for it is worth nothing to a guesser.
      if (!agent || !matches) return { kind: 'wrong-credentials' };
      if (agent.disabled) return { kind: 'wrong-credentials', disabledAgentId: agent.id };
      byPair.reset(pairKey);
      byAddress.refund(input.address);
      byAccount.refund(accountKey);
      knownAddresses.add(accountKey, input.address);

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
