// All SQL about users.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { UserEntity, type UserRole } from './user.entity.js';

export interface NewUser {
  id: string;
  handle: string;
  email: string | null;
  name: string | null;
  role: UserRole;
}

export type UserPatch = Partial<Pick<UserEntity, 'name' | 'email' | 'timezone' | 'notification_preferences'>>;

/** Thrown by `insert` when the handle (or id) is taken; services turn it into a 409. */
export class UserExistsError extends Error {
  constructor(readonly field: 'handle' | 'id') {
    super(`a user with this ${field} exists`);
  }
}

@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private users(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(UserEntity);
  }

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.users(manager).findOneBy({ id });
  }

  findByHandle(handle: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.users(manager).findOneBy({ handle });
  }

  /** The role each of these users has now (users that do not exist are left out). */
  async roles(ids: readonly string[]): Promise<Map<string, UserRole>> {
    if (ids.length === 0) return new Map();
    const rows = (await this.dataSource.query(`SELECT id, role FROM users WHERE id = ANY($1::text[])`, [ids])) as Array<{ id: string; role: UserRole }>;
    return new Map(rows.map((row) => [row.id, row.role]));
  }

  /** Inserts a user; a taken handle or id throws UserExistsError. */
  async insert(user: NewUser, manager: EntityManager): Promise<UserEntity> {
    try {
      return (await this.insertRows(user, manager, ''))[0] as UserEntity;
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint) throw new UserExistsError(constraint.includes('handle') ? 'handle' : 'id');
      throw error;
    }
  }

  /**
   * Inserts the user unless one with the same id or handle exists (several processes may start at once).
   * Answers the new row, or null when it already existed.
   */
  async insertIfAbsent(user: NewUser, manager: EntityManager): Promise<UserEntity | null> {
    return (await this.insertRows(user, manager, ' ON CONFLICT DO NOTHING'))[0] ?? null;
  }

  private async insertRows(user: NewUser, manager: EntityManager, onConflict: '' | ' ON CONFLICT DO NOTHING'): Promise<UserEntity[]> {
    const values = [user.id, user.handle, user.email, user.name, user.role];
    const rows = (await manager.query(
      `INSERT INTO users (id, handle, email, name, role) VALUES ($1, $2, $3, $4, $5)${onConflict} RETURNING *`,
      values,
    )) as Record<string, unknown>[];
    return rows.map((row) => this.users(manager).create(row as Partial<UserEntity>));
  }

  /** Which of these handles are taken. */
  async takenHandles(handles: string[], manager?: EntityManager): Promise<Set<string>> {
    const rows = (await (manager ?? this.dataSource.manager).query(`SELECT handle FROM users WHERE handle = ANY($1::text[])`, [handles])) as Array<{
      handle: string;
    }>;
    return new Set(rows.map((row) => row.handle));
  }

  async update(id: string, patch: UserPatch): Promise<UserEntity | null> {
    if (Object.keys(patch).length) await this.users().update({ id }, patch);
    return this.findById(id);
  }

  /** Users in handle order, after the given handle (keyset pagination). */
  listAfter(afterHandle: string | null, limit: number): Promise<UserEntity[]> {
    const query = this.users().createQueryBuilder('u').orderBy('u.handle', 'ASC').limit(limit);
    if (afterHandle !== null) query.where('u.handle > :after', { after: afterHandle });
    return query.getMany();
  }
}

/** The constraint name of a unique violation (SQLSTATE 23505), or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? (driverError.constraint ?? 'unique') : null;
}
