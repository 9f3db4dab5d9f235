import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** What a sync applied, by agent name (the plan's outcome), for logs and the API answer. */
export interface AgentSyncSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  invalid: string[];
  pinned: string[];
}

/**
 * The last sync of an agents folder (one row per folder identity, normally one). Read under the sync
 * advisory lock: a process whose checkout is an ancestor of `commit` does not sync (no flip-back on deploys).
 */
@Entity({ name: 'agent_sync_state' })
export class AgentSyncStateEntity {
  /** Which folder: the configured repository and folder (`default` for a plain local folder). */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'agent_sync_state_pkey' })
  scope!: string;

  /** The Git commit of the folder at the last sync; null when the folder is not a Git checkout. */
  @Column({ type: 'text', nullable: true })
  commit!: string | null;

  @Column({ type: 'timestamptz' })
  synced_at!: Date;

  /** Which process synced: host, pid and trigger (start-up, API, CLI, push). */
  @Column({ type: 'text' })
  synced_by!: string;

  @Column({ type: 'jsonb', default: {} })
  summary!: Partial<AgentSyncSummary>;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
