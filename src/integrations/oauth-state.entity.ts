import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';

/**
 * A pending OAuth2 authorization-code flow: `state` binds the callback to the user and the credential name;
 * the PKCE verifier is encrypted like credentials. Used once (deleted by the callback), expires soon.
 */
@Entity({ name: 'oauth_states' })
@Index('oauth_states_expires_at_idx', ['expires_at'])
export class OAuthStateEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'oauth_states_pkey' })
  state!: string;

  @Index('oauth_states_user_id_idx')
  @Column({ type: 'text' })
  user_id!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'oauth_states_user_id_fkey' })
  user?: Relation<UserEntity>;

  @Column({ type: 'text' })
  provider!: string;

  /** The credential name the flow will store. */
  @Column({ type: 'text' })
  name!: string;

  /** The PKCE code verifier, encrypted. */
  @Column({ type: 'text' })
  code_verifier!: string;

  @Column({ type: 'text' })
  key_id!: string;

  /** The redirect URI sent to the authorize URL; the token request must repeat it. */
  @Column({ type: 'text' })
  redirect_uri!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  expires_at!: Date;
}
