// At start-up: the `admin` user exists, and with no TRELLIS_ADMIN_API_KEY and no key yet for admin, a
// first admin key is made and printed once. Serialised by an advisory lock, so processes starting
// together create one user and print one key.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { UsersService } from '../users/users.service.js';
import { ApiKeysService } from './api-keys.service.js';

const ADMIN_BOOTSTRAP_LOCK = 7_412_300_010;
export const FIRST_ADMIN_KEY_NAME = 'first admin key';

@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { created, key } = await this.users.transaction(async (manager) => {
      await this.apiKeys.lockFirstKey(manager, ADMIN_BOOTSTRAP_LOCK);
      const admin = await this.users.ensureAdmin(manager);
      if (this.config.adminApiKey || (await this.apiKeys.hasAnyKey(admin.user.id, manager))) return { created: admin.created, key: null };
      const first = await this.apiKeys.create(admin.user, { name: FIRST_ADMIN_KEY_NAME }, null, manager);
      return { created: admin.created, key: first.key };
    });
    if (created) this.logger.info('created the built-in admin user');
    if (key) {
      // Plain stdout, not the JSON log: a person reads this line once.
      process.stdout.write(
        `\nTrellis created the first admin API key. It is shown this once and never again; store it now:\n\n    ${key}\n\n` +
          'Use it as "X-API-Key: <key>" or "Authorization: Bearer <key>". Make more keys with POST /api/user/api-keys or "trellis keys create".\n\n',
      );
      this.logger.info('printed the first admin API key to stdout (once)');
    }
  }
}
