// Release 2's upgrade of triggers (release-2.md section 7), run by every process at start-up, before
// schedules are handed to their driver: trigger.github rows of API graphs not made by an admin are disabled
// with `disabled_reason`. Idempotent, and each change is logged once (the update answers only the rows it
// changed, so of replicas starting together one reports it).
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.js';
import { GITHUB_TRIGGER_NEEDS_ADMIN } from '../graphs/graph-access.js';
import { GraphTriggersRepository } from '../graphs/graph-triggers.repository.js';

export const GITHUB_TRIGGER_DISABLED_REASON = `${GITHUB_TRIGGER_NEEDS_ADMIN}; disabled on the upgrade to release 2. Move the agent to an agent file, or have an admin create it`;

@Injectable()
export class TriggerPolicyOnStart implements OnModuleInit {
  constructor(
    private readonly triggers: GraphTriggersRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.disableGithubTriggers();
  }

  private async disableGithubTriggers(): Promise<void> {
    const changed = await this.triggers.disableGithubOfNonAdmins(GITHUB_TRIGGER_DISABLED_REASON);
    if (changed.length === 0) return;
    const triggers = [...new Set(changed.map((row) => `${row.graph_id}/${row.node_id}`))];
    this.logger.warn(
      { triggers, reason: GITHUB_TRIGGER_DISABLED_REASON },
      `trigger.github disabled in ${triggers.length} API graph trigger${triggers.length === 1 ? '' : 's'} not created by an admin (${triggers.join(', ')}); GET /api/graphs shows disabled_reason`,
    );
  }
}
