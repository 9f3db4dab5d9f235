// schedules.min_interval, the one rule of how often an ad-hoc schedule may fire: an ordinary user's no more
// often than the interval, an admin's as often as they like. Checked when a schedule is created or resumed
// (SchedulesApiService) and applied to the schedules that already run on the upgrade (TriggerPolicyOnStart).
import { Inject, Injectable } from '@nestjs/common';
import type { Problem } from '../../common/errors.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { intervalProblem } from './schedule-times.js';

@Injectable()
export class AdhocIntervals {
  /** schedules.min_interval, in milliseconds. */
  readonly minMs: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'schedules'>) {
    this.minMs = config.schedules.min_interval;
  }

  /** The /cron problem of an ad-hoc schedule of a user with `role` that fires too often; null when it may. Throws on an unusable cron. */
  problem(cron: string, role: string): Problem | null {
    return role === 'admin' ? null : intervalProblem(cron, this.minMs);
  }
}
