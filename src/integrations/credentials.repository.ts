// All SQL about stored credentials: per-user CRUD, the OAuth2 refresh lease, and the rotation batches.
import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import type { CredentialType } from '../blocks/block.types.js';
import { CredentialEntity, type CredentialMetadata } from './credential.entity.js';

export interface NewCredentialRow {
  user_id: string;
  name: string;
  provider: string;
  type: CredentialType;
  ciphertext: string;
  key_id: string;
  metadata: CredentialMetadata;
  hosts?: string[] | null;
}

export interface SealedSecret {
  ciphertext: string;
  key_id: string;
  metadata: CredentialMetadata;
}

/** What rotation needs of a row. */
export interface EncryptedRow {
  id: string;
  user_id: string;
  name: string;
  ciphertext: string;
  key_id: string;
}

export class CredentialExistsError extends Error {
  constructor() {
    super('credential exists');
  }
}

@Injectable()
export class CredentialsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(CredentialEntity);
  }

  listForUser(userId: string): Promise<CredentialEntity[]> {
    return this.rows.find({ where: { user_id: userId }, order: { name: 'ASC' } });
  }

  /** The handle and role of a user (who asks for an operator credential), or null. */
  async userRole(userId: string): Promise<{ handle: string; role: 'admin' | 'user' } | null> {
    const rows = (await this.rows.manager.query(`SELECT handle, role FROM users WHERE id = $1`, [userId])) as Array<{ handle: string; role: 'admin' | 'user' }>;
    return rows[0] ?? null;
  }

  findForUser(userId: string, name: string): Promise<CredentialEntity | null> {
    return this.rows.findOneBy({ user_id: userId, name });
  }

  findById(id: string): Promise<CredentialEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** The user's credentials among `names`, in one query. */
  async findManyForUser(userId: string, names: readonly string[]): Promise<CredentialEntity[]> {
    if (!names.length) return [];
    return this.rows
      .createQueryBuilder('c')
      .where('c.user_id = :userId AND c.name = ANY(:names)', { userId, names: [...names] })
      .getMany();
  }

  /** Inserts; a taken (user, name) throws CredentialExistsError. */
  async insert(row: NewCredentialRow): Promise<CredentialEntity> {
    try {
      return await this.rows.save(this.rows.create({ ...row, version: 1, refresh_lease_until: null }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new CredentialExistsError();
      throw error;
    }
  }

  /** Replaces the secret (a new version; any refresh lease is dropped). Null when the user has no such credential. */
  async replaceSecret(userId: string, name: string, secret: SealedSecret, hosts?: string[] | null): Promise<CredentialEntity | null> {
    // `hosts` undefined keeps the stored list; null clears it.
    const rows = await this.updateReturning(
      `UPDATE credentials SET ciphertext = $3, key_id = $4, metadata = $5, version = version + 1, refresh_lease_until = NULL, updated_at = now(),
          hosts = CASE WHEN $6::boolean THEN $7::text[] ELSE hosts END
        WHERE user_id = $1 AND name = $2 RETURNING *`,
      [userId, name, secret.ciphertext, secret.key_id, JSON.stringify(secret.metadata), hosts !== undefined, hosts ?? null],
    );
    return rows[0] ?? null;
  }

  async deleteForUser(userId: string, name: string): Promise<boolean> {
    const result = await this.rows.delete({ user_id: userId, name });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Claims the right to refresh version `version` of a credential until `leaseMs` from now: true for exactly
   * one caller across every process while the lease holds and the version is unchanged.
   */
  async claimRefresh(id: string, version: number, leaseMs: number): Promise<boolean> {
    const rows = await this.updateReturning(
      `UPDATE credentials SET refresh_lease_until = now() + ($3 * interval '1 millisecond')
        WHERE id = $1 AND version = $2 AND (refresh_lease_until IS NULL OR refresh_lease_until < now()) RETURNING id`,
      [id, version, leaseMs],
    );
    return rows.length === 1;
  }

  /** Stores the refreshed secret if the row is still at `version`; answers the new row, or null if it moved on. */
  async finishRefresh(id: string, version: number, secret: SealedSecret): Promise<CredentialEntity | null> {
    const rows = await this.updateReturning(
      `UPDATE credentials SET ciphertext = $3, key_id = $4, metadata = $5, version = version + 1, refresh_lease_until = NULL, updated_at = now()
        WHERE id = $1 AND version = $2 RETURNING *`,
      [id, version, secret.ciphertext, secret.key_id, JSON.stringify(secret.metadata)],
    );
    return rows[0] ?? null;
  }

  /** Gives the lease back after a failed refresh, so the next use may try again. */
  async releaseRefresh(id: string, version: number): Promise<void> {
    await this.dataSource.query('UPDATE credentials SET refresh_lease_until = NULL WHERE id = $1 AND version = $2', [id, version]);
  }

  /** Rows not encrypted under `keyId`, in id order after `afterId` (keyset pagination for rotation). */
  async encryptedOtherwise(keyId: string, afterId: string | null, limit: number): Promise<EncryptedRow[]> {
    return this.dataSource.query(
      `SELECT id, user_id, name, ciphertext, key_id FROM credentials
        WHERE key_id <> $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [keyId, afterId, limit],
    );
  }

  countEncryptedUnder(keyId: string): Promise<number> {
    return this.rows.countBy({ key_id: keyId });
  }

  /** Swaps in a re-encryption of the same secret, unless the row changed meanwhile (then the caller retries it). */
  async reencrypt(id: string, oldCiphertext: string, ciphertext: string, keyId: string): Promise<boolean> {
    const rows = await this.updateReturning('UPDATE credentials SET ciphertext = $3, key_id = $4 WHERE id = $1 AND ciphertext = $2 RETURNING id', [
      id,
      oldCiphertext,
      ciphertext,
      keyId,
    ]);
    return rows.length === 1;
  }

  private async updateReturning(sql: string, params: unknown[]): Promise<CredentialEntity[]> {
    // pg answers UPDATE ... RETURNING through TypeORM as [rows, count].
    const result = (await this.dataSource.query(sql, params)) as [Record<string, unknown>[], number];
    return result[0].map((row) => Object.assign(new CredentialEntity(), row));
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}
