// Release 2's upgrade of triggers (release-2.md section 7), run by every process at start-up, before
// schedules are handed to their driver: trigger.github rows of API graphs not made by an admin are disabled
// with `disabled_reason`; running ad-hoc schedules of non-admins that fire more often than
// schedules.min_interval are paused with `paused_reason`. Idempotent, and each change is logged once (the
// updates answer only the rows they changed, so of replicas starting together one reports it).
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { formatDuration } from '../common/units.js';
import { GITHUB_TRIGGER_NEEDS_ADMIN } from '../graphs/graph-access.js';
import { GraphTriggersRepository } from '../graphs/graph-triggers.repository.js';
import { AdhocIntervals } from './schedules/adhoc-intervals.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { SchedulesRepository } from './schedules/schedules.repository.js';

export const GITHUB_TRIGGER_DISABLED_REASON = `${GITHUB_TRIGGER_NEEDS_ADMIN}; disabled on the upgrade to release 2. Move the agent to an agent file, or have an admin create it`;

@Injectable()
export class TriggerPolicyOnStart implements OnModuleInit {
  constructor(
    private readonly triggers: GraphTriggersRepository,
    private readonly schedules: SchedulesRepository,
    private readonly users: UsersRepository,
    private readonly intervals: AdhocIntervals,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.disableGithubTriggers();
    await this.pauseFrequentSchedules();
  }

  private async pauseFrequentSchedules(): Promise<void> {
    const minMs = this.intervals.minMs;
    const running = await this.schedules.runningAdhoc();
    const roles = await this.users.roles([...new Set(running.map((row) => row.user_id))]);
    const frequent = running.filter((row) => {
      // Only ad-hoc schedules of existing users (an admin's may fire as often as it likes).
      const role = roles.get(row.user_id);
      if (role === undefined) return false;
      try {
        return this.intervals.problem(row.cron, role) !== null;
      } catch {
        return false; // an unusable cron never fires anyway; the schedules service reports it
      }
    });
    const reason = `fires more often than ad-hoc schedules of non-admins may (schedules.min_interval: ${formatDuration(minMs)}); paused on the upgrade to release 2. Create a schedule whose fires are at least ${formatDuration(minMs)} apart, or ask an admin`;
    const paused = await this.schedules.pauseWithReason(
      frequent.map((row) => row.id),
      reason,
    );
    if (paused.length === 0) return;
    const rows = frequent.filter((row) => paused.includes(row.id)).map(({ id, graph_id, cron, user_id }) => ({ id, graph_id, cron, user_id }));
    this.logger.warn(
      { schedules: rows, reason },
      `${paused.length} ad-hoc schedule${paused.length === 1 ? '' : 's'} of non-admins paused: ${paused.length === 1 ? 'it fires' : 'they fire'} more often than schedules.min_interval (${formatDuration(minMs)}); GET /api/schedules shows paused_reason`,
    );
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
