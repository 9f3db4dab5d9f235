import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn, type Relation } from 'typeorm';
import type { CredentialType } from '../blocks/block.types.js';
import { sqlIn } from '../database/column.helpers.js';
import { UserEntity } from '../users/user.entity.js';

export const CREDENTIAL_TYPES = [
  'api_key',
  'oauth2',
  'user_password',
  'webhook_secret',
  'secret_url',
  'header',
  'smtp',
] as const satisfies readonly CredentialType[];

/** Non-secret facts about a credential, safe to list: OAuth2 scopes and expiry, the account, hints. */
export interface CredentialMetadata {
  scopes?: string[];
  /** ISO time the OAuth2 access token expires. */
  expires_at?: string;
  [key: string]: unknown;
}

/**
 * A user's credential. The secret fields are one JSON object encrypted with AES-256-GCM (`ciphertext` holds
 * iv, tag and data); `key_id` names the key that encrypted it, so older keys still decrypt and
 * `trellis credentials rotate` finds what to re-encrypt. `version` increases with every change of the
 * secret, and `refresh_lease_until` lets one process refresh an OAuth2 token while the others wait and reread.
 */
@Entity({ name: 'credentials' })
@Unique('credentials_user_id_name_key', ['user_id', 'name'])
@Check('credentials_type_check', sqlIn('type', CREDENTIAL_TYPES))
@Check('credentials_version_check', 'version >= 1')
export class CredentialEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'credentials_pkey' })
  id!: string;

  @Column({ type: 'text' })
  user_id!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credentials_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  name!: string;

  /** `openai`, `anthropic`, `github`, `smtp`, `slack`, `http`, ... */
  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  type!: CredentialType;

  /** The encrypted secret fields (never returned, never logged). */
  @Column({ type: 'text' })
  ciphertext!: string;

  /** Which encryption key (a fingerprint of it) encrypted `ciphertext`. */
  @Column({ type: 'text' })
  key_id!: string;

  @Column({ type: 'jsonb', default: {} })
  metadata!: CredentialMetadata;

  /** Where it may be sent (`hosts` entries, common/credential-hosts.ts); null: wherever its block sends it. */
  @Column({ type: 'text', array: true, nullable: true })
  hosts!: string[] | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** Held by the process refreshing an OAuth2 token (claimed with a conditional UPDATE). */
  @Column({ type: 'timestamptz', nullable: true })
  refresh_lease_until!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
