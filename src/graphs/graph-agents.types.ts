// What the graphs API needs from agents, which sit above graphs in the layers: the validation agent files get
// (same messages) and the sync's shared lock. Ports: AgentsModule (global) provides both tokens, implemented
// by AgentsPlanService and AgentsSyncRepository.
import type { EntityManager } from 'typeorm';
import type { AgentSource } from '../agent-format/agent.parser.js';
import type { ValidationReport } from '../agent-format/agent.validator.js';
import type { GraphSource } from '../agent-format/graph.types.js';
import type { CredentialAsker } from '../blocks/credential-policy.js';

export interface ValidateOptions {
  /** Whose credentials a document without `owner` uses: `admin` for files, the caller for API graphs. */
  defaultOwner: string;
  /**
   * Which stored graphs documents may call (and suggestions may name): files see API graphs and the files
   * still present; API bodies and a caller's files see what the caller may see (graph-access.ts).
   */
  callable: (graph: { id: string; source: GraphSource; created_by: string | null }) => boolean;
  /**
   * An API graph's caller: its documents see only the operator credentials this user may use (a name
   * they may not use reads as absent). Files (sync) see them all: file trust decides at run time.
   */
  asker?: CredentialAsker;
  manager?: EntityManager;
}

export interface DatabaseValidation {
  report: ValidationReport;
  /** Handle -> user id of the users the documents name (and the default owner). */
  users: Map<string, string>;
}

/** Validation of agent documents with the database at hand (AgentsPlanService). */
export interface AgentValidator {
  /** Whether a block id names a trigger block. */
  readonly isTrigger: (block: string) => boolean;
  validate(sources: readonly AgentSource[], options: ValidateOptions): Promise<DatabaseValidation>;
}

export const AGENT_VALIDATOR = Symbol('AGENT_VALIDATOR');

/** The lock a sync holds exclusively: a graph write through the API holds it shared (AgentsSyncRepository). */
export interface AgentsSyncLock {
  lockShared(manager: EntityManager): Promise<void>;
}

export const AGENTS_SYNC_LOCK = Symbol('AGENTS_SYNC_LOCK');
