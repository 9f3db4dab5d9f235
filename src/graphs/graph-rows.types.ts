// The rows of the graphs aggregate as graphs.repository.ts reads and writes them (graphs, versions, trigger
// nodes), and what its callers pass in.
import type { AgentDefinition, GraphSource } from '../agent-format/graph.types.js';

/** What sync compares a file with: the stored graph of the same name. */
export interface StoredGraphState {
  id: string;
  source: GraphSource;
  active: boolean;
  active_version: number;
  latest_version: number;
  pinned_version: number | null;
  file: string | null;
  /** Hash of the newest version. */
  latest_hash: string;
}

export interface GraphRow {
  id: string;
  description: string | null;
  source: GraphSource;
  owner_id: string | null;
  /** The owner's handle (joined from users), null when unset. */
  owner_handle: string | null;
  created_by: string | null;
  active: boolean;
  active_version: number;
  latest_version: number;
  pinned_version: number | null;
  file: string | null;
  created_at: Date;
  updated_at: Date;
  deactivated_at: Date | null;
}

export interface VersionRow {
  graph_id: string;
  version: number;
  definition: AgentDefinition;
  hash: string;
  file: string | null;
  commit: string | null;
  created_by: string | null;
  created_at: Date;
}

export type VersionSummary = Omit<VersionRow, 'definition'> & { created_by_handle: string | null };

export interface GraphWithVersion {
  graph: GraphRow;
  version: VersionRow;
}

export interface NewGraphRow {
  id: string;
  description: string | null;
  source: GraphSource;
  owner_id: string | null;
  created_by: string | null;
  active_version: number;
  latest_version: number;
  file: string | null;
}

export type NewVersionRow = Omit<VersionRow, 'created_at'>;

export interface TriggerRow {
  graph_id: string;
  version: number;
  node_id: string;
  block: string;
  config: Record<string, unknown>;
  credentials: Record<string, string>;
}

/** An active trigger node: of the active version of an active graph. */
export type ActiveTrigger = Omit<TriggerRow, 'version'> & { version: number; owner_id: string | null; source?: GraphSource };

export interface GraphListFilter {
  /** Only file graphs and this user's API graphs; null for admins (everything). */
  visibleTo: string | null;
  source?: GraphSource;
  active?: boolean;
  /** Keyset: ids after this one. */
  after?: string;
  limit: number;
}
