import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type UserRole = 'admin' | 'user';

/** A person or system account. `id` is opaque text: a JWT `sub` becomes the id of a provisioned user. */
@Entity({ name: 'users' })
@Check('users_role_check', `role IN ('admin', 'user')`)
export class UserEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'users_pkey' })
  id!: string;

  @Index('users_handle_key', { unique: true })
  @Column({ type: 'text' })
  handle!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', default: 'user' })
  role!: UserRole;

  @Column({ type: 'text', default: 'UTC' })
  timezone!: string;

  /** kind -> channels, overriding the configured defaults. */
  @Column({ type: 'jsonb', default: {} })
  notification_preferences!: Record<string, string[]>;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
