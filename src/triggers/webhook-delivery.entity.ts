import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A webhook or GitHub delivery remembered for dedupe: `(scope, key)` is the primary key, so two concurrent
 * requests with the same key collide in the database and only one creates executions. Rows live until
 * `expires_at` (the idempotency window); an expired row may be replaced.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_expires_at_idx', ['expires_at'])
export class WebhookDeliveryEntity {
  /** `webhook:<agent>/<node>` for an Idempotency-Key, `github` for X-GitHub-Delivery. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  scope!: string;

  /** The Idempotency-Key or X-GitHub-Delivery header. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  key!: string;

  /** sha256 of the raw body: the same key with another body answers 409. */
  @Column({ type: 'text' })
  body_hash!: string;

  /** The first answer, replayed to duplicates; null while the first request is still being answered. */
  @Column({ type: 'integer', nullable: true })
  status_code!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  response!: unknown;

  /** The headers of an answer shaped by `http_response`, replayed with its status; null for the documented JSON answers (replayed as 200). */
  @Column({ type: 'jsonb', nullable: true })
  headers!: Record<string, string> | null;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  execution_ids!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  expires_at!: Date;
}
