// Retention (executor.retention, default 14 days): a housekeeping job on @nestjs/schedule deletes finished
// executions (and, by cascade, their node executions) that ended before the cutoff, in batches, so no
// statement holds many rows. Unfinished executions are never touched. Safe on every worker at once
// (SKIP LOCKED): two pruners never wait for, or delete, the same rows.
import { Inject, Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ExecutionsRepository } from '../executions.repository.js';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
export const RETENTION_BATCH = 500;

@Injectable()
export class ExecutionRetentionService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly executions: ExecutionsRepository,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  @Interval('execution-retention', RETENTION_INTERVAL_MS)
  async onInterval(): Promise<void> {
    await this.prune();
  }

  /** Deletes finished executions older than executor.retention, `batch` at a time; answers how many went. */
  async prune(batch = RETENTION_BATCH): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.executions.deleteFinishedBefore(this.config.executor.retention, batch);
        total += deleted;
        if (deleted < batch) break;
      }
    } catch (error) {
      this.logger.warn({ err: error, deleted: total }, 'pruning old executions failed; it runs again at the next interval');
    }
    if (total > 0) this.logger.info({ deleted: total, retention_ms: this.config.executor.retention }, 'pruned finished executions past their retention');
    return total;
  }
}
