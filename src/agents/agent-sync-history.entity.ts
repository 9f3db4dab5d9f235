import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AgentProblem } from '../agent-format/agent.problems.js';

/** One file's problems in a sync (only files that had any are kept with the run). */
export interface SyncRunFile {
  file: string | null;
  agent: string;
  action: string;
  problems: AgentProblem[];
}

/** One sync of an agents folder, applied or skipped: what `GET /api/agents/sync` lists, newest first. */
@Entity({ name: 'agent_sync_runs' })
@Index('agent_sync_runs_scope_synced_at_idx', ['scope', 'synced_at'])
export class AgentSyncRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'agent_sync_runs_pkey' })
  id!: string;

  @Column({ type: 'text' })
  scope!: string;

  @Column({ type: 'text', nullable: true })
  commit!: string | null;

  /** What started it: start, api, cli or push. */
  @Column({ type: 'text' })
  trigger!: string;

  @Column({ type: 'text' })
  synced_by!: string;

  /** applied or skipped (nothing written; `reason` says why). */
  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** How many agents took each plan action. */
  @Column({ type: 'jsonb', default: {} })
  summary!: Record<string, number>;

  /** The files with problems (errors or warnings), each with its problems. */
  @Column({ type: 'jsonb', default: [] })
  files!: SyncRunFile[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  synced_at!: Date;
}

/** The last result of each agent file in an applied sync (a file no longer in the folder keeps its last one). */
@Entity({ name: 'agent_sync_files' })
export class AgentSyncFileEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'agent_sync_files_pkey' })
  scope!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'agent_sync_files_pkey' })
  file!: string;

  @Column({ type: 'text' })
  agent!: string;

  /** The plan action of the file in that sync (create, update, pinned, unchanged, remove, invalid). */
  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'jsonb', default: [] })
  problems!: AgentProblem[];

  @Column({ type: 'text', nullable: true })
  commit!: string | null;

  @Column({ type: 'uuid' })
  run_id!: string;

  @Column({ type: 'timestamptz' })
  synced_at!: Date;
}
