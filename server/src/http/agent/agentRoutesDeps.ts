import type { CatalogueStatus, ConfigStatus, Experiments } from '@aisle/shared';
import type { AgentAuth } from '../../agents/agentAuth';
import type { TranscriptService } from '../../agents/transcriptService';
import type { AgentRepository, AgentRow } from '../../db/agentRepository';
import type { TranscriptRepository } from '../../db/transcriptRepository';
import type { Logger } from '../../logger';

/** What the agent API needs; `endSockets` reaches the live sockets, `handBackAll` the chat. */
export interface AgentRoutesDeps {
  auth: AgentAuth;
  agents: AgentRepository;
  transcripts: TranscriptService;
  transcriptRows: TranscriptRepository;
  allowedOrigins: () => readonly string[];
  /** Ends live sockets of one session or of every session of an agent. */
  endSockets(match: { sessionHash?: string; agentId?: string }, reason: string): void;
  /** Returns the conversations an agent had taken over to the assistant (when disabled or removed). */
  handBackAll(agent: AgentRow): Promise<void>;
  /** Model experiments and their comparison per arm. */
  experiments(): Promise<Experiments>;
  /** The config version in force and the last refused edit (a model no host has, an invalid field). */
  configStatus(): ConfigStatus;
  /** Something in a conversation's list row changed (labels, flag): tell every console. */
  rowChanged(conversationId: string): void;
  /** Catalogue sources and syncs for the admin page; `syncNow` starts a feed's sync in the background. */
  catalogue: {
    status(): Promise<CatalogueStatus>;
    syncNow(name: string): 'started' | 'unknown-feed' | 'already-running';
  };
  logger: Logger;
}
