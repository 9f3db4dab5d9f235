// `trellis keys create --user <handle> [--scopes a,b] [--name n] [--expires-at t]`: a new API key, printed once.
// Registering it loads only commander and the scope names; the services load when the key is made.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/errors.js';
import type { AppConfig } from '../config/config.schema.js';
import type { OpenDataSource } from '../database/data-source.js';
import type { CreditAccounts } from '../users/credit-accounts.types.js';
import type { UserEntity } from '../users/user.entity.js';
import type { ApiKeyEntity } from './api-key.entity.js';
import { isScope, SCOPES } from './scopes.js';

export interface KeysCreateOptions {
  user: string;
  scopes?: string;
  name?: string;
  expiresAt?: string;
}

export class KeysCommandError extends Error {}

/**
 * Makes the key in the database; the command prints it. (Split out so tests can run it on their database.)
 * `accounts`: credits (above auth in the layers) open the admin's account when this makes the admin.
 */
export async function createKeyFromCli(
  dataSource: DataSource,
  config: AppConfig,
  logger: Logger,
  options: KeysCreateOptions,
  accounts: CreditAccounts,
): Promise<{ key: string; entity: ApiKeyEntity; user: UserEntity }> {
  const scopes =
    options.scopes === undefined
      ? undefined
      : options.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (scopes) {
    const unknown = scopes.filter((scope) => !isScope(scope));
    if (unknown.length)
      throw new KeysCommandError(`Unknown scope${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}. Known scopes: ${SCOPES.join(', ')}.`);
    if (!scopes.length)
      throw new KeysCommandError(`--scopes needs at least one scope (known: ${SCOPES.join(', ')}); leave it out for every scope of the user's role.`);
  }
  const { UsersRepository } = await import('../users/users.repository.js');
  const { ADMIN_HANDLE, UsersService } = await import('../users/users.service.js');
  const { ApiKeysRepository } = await import('./api-keys.repository.js');
  const { ApiKeysService } = await import('./api-keys.service.js');
  const users = new UsersService(dataSource, new UsersRepository(dataSource), accounts, config);
  const apiKeys = new ApiKeysService(new ApiKeysRepository(dataSource), logger.child({ component: ApiKeysService.name }));
  try {
    let user = await users.findByHandle(options.user);
    // Before the first start, admin does not exist yet: make it, as the server would.
    if (!user && options.user === ADMIN_HANDLE) user = (await users.transaction((manager) => users.ensureAdmin(manager))).user;
    if (!user) throw new KeysCommandError(`No user has the handle "${options.user}". Check the handle, or create the user with POST /api/admin/users.`);
    const created = await apiKeys.create(user, { name: options.name ?? 'cli key', scopes, expires_at: options.expiresAt ?? null }, null);
    return { key: created.key, entity: created.entity, user };
  } catch (error) {
    if (error instanceof AppError) {
      const problems = (error.details.problems as Array<{ message: string }> | undefined)?.map((p) => p.message).join('; ');
      throw new KeysCommandError(problems ?? error.message);
    }
    throw error;
  } finally {
    await apiKeys.onModuleDestroy();
  }
}

export function registerKeysCommands(program: Command, openDataSource: OpenDataSource, accounts: CreditAccounts): void {
  const keys = program.command('keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key for a user and print it once (connects like `trellis migrate`)')
    .requiredOption('--user <handle>', 'the handle of the user the key acts as')
    .option('--scopes <list>', `comma-separated scopes (default: every scope of the user's role): ${SCOPES.join(', ')}`)
    .option('--name <name>', 'a name to recognise the key by', 'cli key')
    .option('--expires-at <time>', 'ISO 8601 time when the key stops working (default: never)')
    .action(async (options: KeysCreateOptions) => {
      const { createLogger } = await import('../common/logger.js');
      const { loadConfig } = await import('../config/config.loader.js');
      const { startEmbeddedPostgres } = await import('../database/embedded.js');
      const { runMigrations } = await import('../database/migrate.js');
      const config = loadConfig();
      const logger = createLogger(config.logging.level);
      const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config, logger, { share: true });
      const dataSource = await openDataSource({ url: config.databaseUrl ?? embedded!.url, poolSize: 2, applicationName: 'trellis-cli' });
      await dataSource.initialize();
      try {
        await runMigrations(dataSource);
        const { key, entity, user } = await createKeyFromCli(dataSource, config, logger, options, accounts);
        process.stderr.write(
          `Created API key "${entity.name}" (${entity.prefix}...) for ${user.handle} with scopes ${entity.scopes.join(', ')}. It is shown this once:\n`,
        );
        process.stdout.write(`${key}\n`);
      } finally {
        await dataSource.destroy();
        await embedded?.stop();
      }
    });
}
