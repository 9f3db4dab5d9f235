// Schedules kept in step with the graphs (trigger.cron nodes of active versions, via GraphActivations and a
// reconcile at start-up), and the fire: skip when later than schedules.misfire_grace, else the
// schedule_fires key and the execution (executions/admission) in one transaction, dispatched after the commit.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ExecutionAdmission } from '../../executions/admission/execution-admission.service.js';
import { GraphActivations, type GraphActivation } from '../../graphs/graph-activations.js';
import { GraphsRepository } from '../../graphs/graphs.repository.js';
import { UsersRepository } from '../../users/users.repository.js';
import { ADMIN_HANDLE } from '../../users/users.service.js';
import { SCHEDULE_CLOCK, systemClock, type ScheduleClock } from './schedule-clock.types.js';
import { SCHEDULE_DRIVER, type DriverSchedule, type FireHandler, type ScheduleDriver } from './schedule-driver.js';
import { decideFire, nextFireAfter, scheduleKey } from './schedule-times.js';
import { SchedulesRepository, type CronTriggerRow, type ScheduleRow, type StoredSchedule } from './schedules.repository.js';

/** Which schedule it is and when it fires: what the driver and the API both show first. */
export function firingFields(row: StoredSchedule): Omit<DriverSchedule, 'enabled'> {
  return { id: row.id, kind: row.kind, graph_id: row.graph_id, node_id: row.node_id, cron: row.cron, timezone: row.timezone };
}

export function driverSchedule(row: ScheduleRow): DriverSchedule {
  return { ...firingFields(row), enabled: row.graph_active && !row.paused };
}

/** Schedules with what they need of their graphs (read from the graphs module); a schedule without its graph is left out. */
export async function withGraphs(rows: readonly StoredSchedule[], graphs: Pick<GraphsRepository, 'runFacts'>, manager?: EntityManager): Promise<ScheduleRow[]> {
  if (rows.length === 0) return [];
  const facts = new Map((await graphs.runFacts([...new Set(rows.map((row) => row.graph_id))], manager)).map((graph) => [graph.id, graph]));
  return rows.flatMap((row) => {
    const graph = facts.get(row.graph_id);
    return graph ? [{ ...row, graph_active: graph.active, graph_source: graph.source, graph_created_by: graph.created_by }] : [];
  });
}

@Injectable()
export class SchedulesService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown, FireHandler {
  private unsubscribe: (() => void) | null = null;
  private readonly clock: ScheduleClock;

  constructor(
    private readonly repository: SchedulesRepository,
    private readonly graphs: GraphsRepository,
    private readonly users: UsersRepository,
    private readonly activations: GraphActivations,
    @Inject(SCHEDULE_DRIVER) private readonly driver: ScheduleDriver,
    private readonly admission: ExecutionAdmission,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(SCHEDULE_CLOCK) clock: ScheduleClock | null,
  ) {
    this.clock = clock ?? systemClock;
  }

  onModuleInit(): void {
    this.unsubscribe = this.activations.subscribe((changes) => this.onActivations(changes));
  }

  /** Every replica reconciles at start (idempotent); worker processes then fire. */
  async onApplicationBootstrap(): Promise<void> {
    await this.reconcile(null);
    if (this.config.role !== 'api') await this.driver.start(this);
    this.logger.info({ mode: this.driver.mode }, `schedules: ${this.driver.mode === 'bullmq' ? 'BullMQ job schedulers' : 'local scheduler on Postgres'}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.driver.close();
  }

  private async onActivations(changes: readonly GraphActivation[]): Promise<void> {
    await this.reconcile(changes.map((c) => c.graph_id));
  }

  /**
   * Makes the trigger schedules of `graphIds` (null: all graphs) match the trigger.cron nodes of their active
   * versions, then tells the driver: new or changed ones fire, removed nodes and inactive graphs stop.
   */
  async reconcile(graphIds: readonly string[] | null): Promise<void> {
    const now = this.clock.now();
    // One statement at a time: a transaction is one connection, and pg refuses concurrent queries on it.
    const { removed, rows } = await this.repository.transaction(async (manager) => {
      const wantedGraphs = graphIds ? new Set(graphIds) : null;
      const triggers = (await this.graphs.activeTriggers('trigger.cron', manager)).filter((t) => !wantedGraphs || wantedGraphs.has(t.graph_id));
      const wanted: CronTriggerRow[] = [];
      for (const t of triggers) {
        const cron = String(t.config.schedule ?? '');
        const timezone = typeof t.config.timezone === 'string' ? t.config.timezone : 'UTC';
        try {
          wanted.push({
            graph_id: t.graph_id,
            node_id: t.node_id,
            cron,
            timezone,
            payload: t.config.payload ?? null,
            next_fire_at: nextFireAfter(cron, timezone, now),
          });
        } catch (error) {
          this.logger.error(
            { err: error, graph_id: t.graph_id, node_id: t.node_id },
            `trigger.cron node ${t.node_id} of ${t.graph_id} has an unusable schedule "${cron}" (${timezone}); it will not fire`,
          );
        }
      }
      await this.repository.upsertTriggerSchedules(wanted, manager);
      const removed = await this.repository.removeTriggerSchedules(
        graphIds,
        wanted.map((w) => `${w.graph_id}/${w.node_id}`),
        manager,
      );
      const rows = await withGraphs(await this.repository.list(graphIds ? { graphIds } : {}, manager), this.graphs, manager);
      return { removed, rows };
    });
    await this.driver.remove(removed);
    await this.driver.apply(rows.map(driverSchedule));
  }

  async fire(scheduleId: string, scheduledFor: Date, manager?: EntityManager): Promise<string | null> {
    const target = await this.repository.find(scheduleId, manager);
    if (!target || target.paused) return null;
    const [graph] = await this.graphs.runFacts([target.graph_id], manager);
    if (!graph?.active) return null;
    const key = scheduleKey(target);
    const firedAt = this.clock.now();
    const decision = decideFire(scheduledFor, firedAt, this.config.schedules.misfire_grace);
    if (decision.action === 'skip') {
      if (await this.repository.insertSkip(key, scheduledFor, manager)) {
        this.logger.warn(
          { schedule_id: target.id, graph_id: target.graph_id, node_id: target.node_id, scheduled_for: scheduledFor.toISOString(), late_ms: decision.lateMs },
          `schedule ${key}: the fire of ${scheduledFor.toISOString()} is ${Math.round(decision.lateMs / 1000)} s late, past schedules.misfire_grace; skipped, not replayed`,
        );
      }
      return null;
    }
    // Billed: the schedule's creator (ad-hoc), else the agent's owner, else the built-in admin.
    const billTo = target.user_id ?? graph.owner_id ?? (await this.users.findByHandle(ADMIN_HANDLE, manager))?.id ?? null;
    if (!billTo) {
      this.logger.error({ schedule_id: target.id, graph_id: target.graph_id }, `schedule ${key}: nobody to bill (no owner and no admin user); fire skipped`);
      return null;
    }
    const trigger = target.kind === 'trigger';
    const admit = async (tx: EntityManager): Promise<string | null> => {
      const executionId = randomUUID();
      if (!(await this.repository.insertFire(key, scheduledFor, executionId, tx))) return null;
      await this.admission.scheduled(
        {
          id: executionId,
          schedule_id: target.id,
          graph_id: target.graph_id,
          graph_version: graph.active_version,
          user_id: billTo,
          trigger_node: trigger ? target.node_id : null,
          trigger_event: trigger ? { fired_at: firedAt.toISOString(), scheduled_for: scheduledFor.toISOString(), payload: target.payload ?? null } : null,
          inputs: trigger ? {} : target.inputs,
        },
        tx,
      );
      await this.repository.markFired(target.id, scheduledFor, tx);
      return executionId;
    };
    return manager ? admit(manager) : this.repository.transaction(admit);
  }

  async dispatch(executionId: string): Promise<void> {
    await this.admission.enqueue([executionId]);
  }
}
