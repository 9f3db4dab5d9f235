// All SQL about API keys.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UserEntity } from '../users/user.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';

export interface NewApiKeyRow {
  user_id: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: string[];
  expires_at: Date | null;
}

export interface ApiKeyWithUser {
  key: ApiKeyEntity;
  user: UserEntity;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  private keys(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ApiKeyEntity);
  }

  async insert(row: NewApiKeyRow, manager?: EntityManager): Promise<ApiKeyEntity> {
    const repository = this.keys(manager);
    return repository.save(repository.create({ ...row, last_used_at: null, revoked_at: null }));
  }

  /** The key with this hash and its user: one indexed lookup. */
  async findByHashWithUser(hash: string): Promise<ApiKeyWithUser | null> {
    const key = await this.keys().findOne({ where: { hash }, relations: { user: true } });
    if (!key?.user) return null;
    const { user, ...rest } = key;
    return { key: Object.assign(new ApiKeyEntity(), rest), user };
  }

  listForUser(userId: string): Promise<ApiKeyEntity[]> {
    return this.keys().find({ where: { user_id: userId }, order: { created_at: 'DESC', id: 'ASC' } });
  }

  /** The user's key with this id, or null (another user's key is as absent as a missing one). */
  findForUser(userId: string, id: string): Promise<ApiKeyEntity | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.keys().findOneBy({ id, user_id: userId });
  }

  /** Revokes the key (once: a revoked key keeps its first revocation time); answers the key after. */
  async revoke(userId: string, id: string, at: Date): Promise<ApiKeyEntity | null> {
    if (!UUID.test(id)) return null;
    await this.keys()
      .createQueryBuilder()
      .update()
      .set({ revoked_at: at })
      .where('id = :id AND user_id = :userId AND revoked_at IS NULL', { id, userId })
      .execute();
    return this.findForUser(userId, id);
  }

  countForUser(userId: string, manager?: EntityManager): Promise<number> {
    return this.keys(manager).countBy({ user_id: userId });
  }

  /** Writes many `last_used_at` values in one statement (never moving one backwards). */
  async recordLastUsed(uses: Map<string, Date>): Promise<void> {
    if (!uses.size) return;
    const ids = [...uses.keys()];
    const times = ids.map((id) => uses.get(id)!.toISOString());
    await this.dataSource.query(
      `UPDATE api_keys AS k SET last_used_at = u.at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at)
        WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
      [ids, times],
    );
  }

  /** Serialises "does admin have a key yet?" between processes starting at once (transaction-scoped). */
  async lockFirstKey(manager: EntityManager, lockId: number): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [lockId]);
  }
}
