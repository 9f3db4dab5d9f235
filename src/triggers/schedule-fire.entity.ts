import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * "Exactly one execution per fire time": whoever inserts `(schedule_key, scheduled_for)` first creates the
 * execution; every other process's insert collides. No foreign keys, so the record outlives pruned executions
 * and removed schedules (pruned by `fired_at`).
 */
@Entity({ name: 'schedule_fires' })
@Index('schedule_fires_fired_at_idx', ['fired_at'])
export class ScheduleFireEntity {
  /** `trigger:<graph>/<node>` or `adhoc:<schedule id>`. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'schedule_fires_pkey' })
  schedule_key!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'schedule_fires_pkey' })
  scheduled_for!: Date;

  /** The execution it started; null when the fire was skipped (later than `schedules.misfire_grace`). */
  @Column({ type: 'uuid', nullable: true })
  execution_id!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  fired_at!: Date;
}
