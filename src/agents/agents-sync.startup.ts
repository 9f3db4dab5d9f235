// Sync at start-up (api and all roles, when gitops.sync_on_start): after migrations, before the server
// listens. A failed sync is logged and never stops the server: the graphs stay as they were.
import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppError } from '../common/errors.js';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { formatProblemText } from '../agent-format/agent.problems.js';
import { AgentsSyncService } from './agents-sync.service.js';
import { AgentsSyncRepository } from './agents-sync.repository.js';
import { undeclaredOverrides } from '../agent-format/agent.vars.js';
import { ConfigError } from '../config/config.errors.js';

@Injectable()
export class AgentsSyncOnStart implements OnApplicationBootstrap {
  constructor(
    private readonly syncs: AgentsSyncService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Optional() private readonly repository?: AgentsSyncRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'worker') return;
    if (this.config.gitops.sync_on_start) await this.syncOnStart();
    await this.checkVarOverrides();
  }

  /** config/vars*.yaml may override only vars that file agents declare: anything else stops the start (release-2.md section 2). */
  private async checkVarOverrides(): Promise<void> {
    if (!this.repository || !this.config.vars.some((file) => Object.keys(file.agents).length > 0)) return;
    const problems = undeclaredOverrides(this.config.vars, await this.repository.fileAgentVars());
    if (problems.length === 0) return;
    throw new ConfigError(problems);
  }

  private async syncOnStart(): Promise<void> {
    try {
      const result = await this.syncs.sync({ trigger: 'start' });
      if (result.status === 'skipped') {
        this.logger.warn({ commit: result.commit, reason: result.reason }, `agents not synced at start-up: ${result.reason}`);
        return;
      }
      for (const entry of result.agents.filter((e) => e.action === 'invalid')) {
        this.logger.warn(
          { agent: entry.name, file: entry.file, problems: entry.problems.map(formatProblemText) },
          `agent file ${entry.file} is invalid and was skipped (${entry.notes.join('; ')}); run "trellis validate" to see every problem`,
        );
      }
      this.logger.info({ folder: result.folder, commit: result.commit, summary: result.summary }, 'agents synced at start-up');
    } catch (error) {
      if (error instanceof AppError && error.code === 'AGENTS_FOLDER_MISSING') {
        this.logger.warn({ folder: this.config.agentsDir }, `agents not synced at start-up: ${error.message}`);
        return;
      }
      this.logger.error({ err: error }, 'agents could not be synced at start-up; the server starts with the graphs as they were');
    }
  }
}
