import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A job of the Postgres queue driver (postgres-queue.ts; REDIS_URL unset): executions to look at, schedules
 * and notification deliveries survive a restart. Consumers claim due rows with `FOR UPDATE SKIP LOCKED`,
 * set `locked_by`, `locked_until` (the lease, renewed while the handler runs) and `attempts`, and delete the
 * row when done; a lapsed lease is delivered again; a row past `max_attempts` keeps `failed_at` and
 * `last_error`. A repeating job is one row named `repeat` whose `run_at` is its next fire time.
 */
@Entity({ name: 'durable_jobs' })
@Unique('durable_jobs_queue_dedupe_key_key', ['queue', 'dedupe_key'])
@Check('durable_jobs_attempts_check', 'attempts >= 0 AND max_attempts >= 1')
// Due and claimable: the claim query filters on run_at and locked_until within one queue.
@Index('durable_jobs_due_idx', ['queue', 'run_at'], { where: 'failed_at IS NULL' })
export class DurableJobEntity {
  /** bigserial; pg returns it as a string, and ids are opaque strings anyway. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'durable_jobs_pkey' })
  id!: string;

  /** The queue name (`executions`, `delays`, `schedules`, `notifications`, ...). */
  @Column({ type: 'text' })
  queue!: string;

  /** The job name, picking the handler within the queue. */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb', default: {} })
  payload!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  run_at!: Date;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'integer', default: 1 })
  max_attempts!: number;

  @Column({ type: 'text', nullable: true })
  locked_by!: string | null;

  /** A claim lapses here (the worker died): the job becomes claimable again. */
  @Column({ type: 'timestamptz', nullable: true })
  locked_until!: Date | null;

  @Column({ type: 'text', nullable: true })
  last_error!: string | null;

  /** Set when the job gave up after `max_attempts`; it is kept for inspection and never claimed again. */
  @Column({ type: 'timestamptz', nullable: true })
  failed_at!: Date | null;

  /** At most one job per key in a queue (e.g. `execution:<id>`); null for jobs that may repeat. */
  @Column({ type: 'text', nullable: true })
  dedupe_key!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
