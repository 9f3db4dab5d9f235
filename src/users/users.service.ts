// Users: creation (with the credit account, in one transaction), the built-in admin, profiles and listing.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../common/errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { CREDIT_ACCOUNTS, type CreditAccounts } from './credit-accounts.types.js';
import type { UserEntity, UserRole } from './user.entity.js';
import { handleCandidates } from './user.handle.js';
import { badCursor, handleTaken, userNotFound } from './users.errors.js';
import { UserExistsError, UsersRepository, type UserPatch } from './users.repository.js';

export const ADMIN_HANDLE = 'admin';

export interface CreateUserInput {
  handle: string;
  email?: string | null;
  name?: string | null;
  role?: UserRole;
  /** Initial credits; default `credits.initial_grant`. */
  credits?: number;
  /** Default: a new UUID. A provisioned JWT user gets its `sub`. */
  id?: string;
}

export interface UserPage {
  items: UserEntity[];
  next_cursor: string | null;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    @Inject(CREDIT_ACCOUNTS) private readonly credits: CreditAccounts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findByHandle(handle: string): Promise<UserEntity | null> {
    return this.users.findByHandle(handle);
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw userNotFound(id);
    return user;
  }

  /** Creates a user and opens its credit account in the caller's transaction; a taken handle is a 409. */
  async createUser(input: CreateUserInput, manager: EntityManager): Promise<UserEntity> {
    const amount = input.credits ?? this.config.credits.initial_grant;
    try {
      const user = await this.users.insert(
        { id: input.id ?? randomUUID(), handle: input.handle, email: input.email ?? null, name: input.name ?? null, role: input.role ?? 'user' },
        manager,
      );
      await this.credits.openAccount(manager, user.id, amount, input.credits === undefined ? 'initial grant' : 'initial grant (set by an admin)');
      return user;
    } catch (error) {
      if (error instanceof UserExistsError && error.field === 'handle') throw handleTaken(input.handle);
      throw error;
    }
  }

  /** The built-in `admin` user, created (with its credit account) if missing; safe when processes start at once. */
  async ensureAdmin(manager: EntityManager): Promise<{ user: UserEntity; created: boolean }> {
    const inserted = await this.users.insertIfAbsent({ id: randomUUID(), handle: ADMIN_HANDLE, email: null, name: 'Administrator', role: 'admin' }, manager);
    if (inserted) {
      await this.credits.openAccount(manager, inserted.id, this.config.credits.initial_grant, 'initial grant');
      return { user: inserted, created: true };
    }
    const existing = await this.users.findByHandle(ADMIN_HANDLE, manager);
    if (!existing) throw new Error('the admin user could not be created or found');
    return { user: existing, created: false };
  }

  /**
   * A user for a JWT `sub` seen for the first time (auth.jwt.auto_provision): the handle comes from the
   * claims, with a suffix when taken. Two requests provisioning the same sub at once both get the one user.
   */
  async provision(sub: string, handle: string, fields: { email: string | null; name: string | null; role: UserRole }): Promise<UserEntity> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const candidates = handleCandidates(handle, 20);
      const taken = await this.users.takenHandles(candidates);
      const free = candidates.find((candidate) => !taken.has(candidate)) ?? `${handle.slice(0, 50)}-${randomUUID().slice(0, 8)}`;
      try {
        return await this.dataSource.transaction((manager) => this.createUser({ id: sub, handle: free, ...fields }, manager));
      } catch (error) {
        const existing = await this.users.findById(sub);
        if (existing) return existing;
        if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
      }
    }
    throw new Error(`could not find a free handle for "${handle}"`);
  }

  async updateProfile(id: string, patch: UserPatch): Promise<UserEntity> {
    const user = await this.users.update(id, patch);
    if (!user) throw userNotFound(id);
    return user;
  }

  async list(cursor: string | undefined, limit = 50): Promise<UserPage> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const rows = await this.users.listAfter(after, limit + 1);
    const items = rows.slice(0, limit);
    const next = rows.length > limit ? encodeCursor(items[items.length - 1]!.handle) : null;
    return { items, next_cursor: next };
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}

function encodeCursor(handle: string): string {
  return Buffer.from(`h:${handle}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith('h:')) throw badCursor();
  return text.slice(2);
}
