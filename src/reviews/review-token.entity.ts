import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { ReviewEntity } from './review.entity.js';

/** A reviewer's one-time link token (stored as its SHA-256; alive while the review is pending). */
@Entity({ name: 'review_tokens' })
@Index('review_tokens_review_id_idx', ['review_id'])
export class ReviewTokenEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'review_tokens_pkey' })
  token_hash!: string;

  @Column({ type: 'uuid' })
  review_id!: string;

  @ManyToOne(() => ReviewEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'review_tokens_review_id_fkey' })
  review?: Relation<ReviewEntity>;

  @Column({ type: 'text' })
  user_id!: string;
}
