// All SQL about pending OAuth2 flows: made at login, consumed once by the callback, swept when expired.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OAuthStateEntity } from './oauth-state.entity.js';
import type { EncryptedRow } from './credentials.repository.js';

export interface NewOAuthState {
  state: string;
  user_id: string;
  provider: string;
  name: string;
  code_verifier: string;
  key_id: string;
  redirect_uri: string;
  expires_at: Date;
}

@Injectable()
export class OAuthStatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: NewOAuthState): Promise<void> {
    await this.dataSource.getRepository(OAuthStateEntity).insert(row);
  }

  /** Removes and answers the flow with this state: whoever calls first gets it, every later call gets null. */
  async consume(state: string): Promise<OAuthStateEntity | null> {
    const result = (await this.dataSource.query('DELETE FROM oauth_states WHERE state = $1 RETURNING *', [state])) as [Record<string, unknown>[], number];
    const row = result[0][0];
    return row ? Object.assign(new OAuthStateEntity(), row) : null;
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.dataSource.getRepository(OAuthStateEntity).createQueryBuilder().delete().where('expires_at < :now', { now }).execute();
    return result.affected ?? 0;
  }

  /** Flows whose verifier is not under `keyId` (rotation), as credential-like rows (`id` is the state). */
  async encryptedOtherwise(keyId: string, afterState: string | null, limit: number): Promise<Array<EncryptedRow & { state: string }>> {
    const rows: Array<{ state: string; user_id: string; name: string; code_verifier: string; key_id: string }> = await this.dataSource.query(
      `SELECT state, user_id, name, code_verifier, key_id FROM oauth_states
        WHERE key_id <> $1 AND ($2::text IS NULL OR state > $2) ORDER BY state LIMIT $3`,
      [keyId, afterState, limit],
    );
    return rows.map((row) => ({ id: row.state, state: row.state, user_id: row.user_id, name: row.name, ciphertext: row.code_verifier, key_id: row.key_id }));
  }

  async reencrypt(state: string, oldCiphertext: string, ciphertext: string, keyId: string): Promise<boolean> {
    const result = (await this.dataSource.query(
      'UPDATE oauth_states SET code_verifier = $3, key_id = $4 WHERE state = $1 AND code_verifier = $2 RETURNING state',
      [state, oldCiphertext, ciphertext, keyId],
    )) as [unknown[], number];
    return result[0].length === 1;
  }
}
