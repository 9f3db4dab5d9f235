// The schedules API: ad-hoc schedules of a graph (billed to their creator, inputs checked as the execute API
// checks them), every schedule the caller may see with its next fire times, pause/resume, delete.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { validationFailed } from '../../common/errors.js';
import { ExecutionAdmission } from '../../executions/admission/execution-admission.service.js';
import { GraphsRepository } from '../../graphs/graphs.repository.js';
import { AdhocIntervals } from './adhoc-intervals.service.js';
import { SCHEDULE_CLOCK, systemClock, type ScheduleClock } from './schedule-clock.types.js';
import { SCHEDULE_DRIVER, type ScheduleDriver } from './schedule-driver.js';
import { nextFireAfter, nextFireTimes, scheduleProblems } from './schedule-times.js';
import type { CreateScheduleDto } from './schedules.dto.js';
import { graphInactive, graphNotFound, scheduleNotFound, scheduleNotYours, triggerScheduleNotDeletable } from './schedules.errors.js';
import { SchedulesRepository, type ScheduleRow, type StoredSchedule } from './schedules.repository.js';
import { driverSchedule, firingFields, withGraphs } from './schedules.service.js';

export const NEXT_FIRE_TIMES = 5;

/** A schedule as the API shows it: the stored row with times as ISO text and what it means for firing. */
export interface ScheduleView extends Omit<StoredSchedule, 'next_fire_at' | 'last_fired_at' | 'created_at'> {
  /** False when the graph is inactive: the schedule does not fire. */
  active: boolean;
  next_fire_times: string[];
  last_fired_at: string | null;
  created_at: string;
}

export function scheduleView(row: ScheduleRow, now: Date): ScheduleView {
  const firing = row.graph_active && !row.paused;
  return {
    ...firingFields(row),
    inputs: row.inputs,
    payload: row.payload ?? null,
    user_id: row.user_id,
    paused: row.paused,
    paused_reason: row.paused_reason,
    active: row.graph_active,
    next_fire_times: firing ? nextFireTimes(row.cron, row.timezone, NEXT_FIRE_TIMES, now).map((d) => d.toISOString()) : [],
    last_fired_at: row.last_fired_at ? new Date(row.last_fired_at).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}

const isAdmin = (principal: Principal): boolean => principal.role === 'admin';

@Injectable()
export class SchedulesApiService {
  private readonly clock: ScheduleClock;

  constructor(
    private readonly repository: SchedulesRepository,
    private readonly graphs: GraphsRepository,
    private readonly admission: ExecutionAdmission,
    @Inject(SCHEDULE_DRIVER) private readonly driver: ScheduleDriver,
    private readonly intervals: AdhocIntervals,
    @Optional() @Inject(SCHEDULE_CLOCK) clock: ScheduleClock | null,
  ) {
    this.clock = clock ?? systemClock;
  }

  /** Admins see every schedule; others the schedules of graphs they see, and of those only their own ad-hoc ones. */
  async list(principal: Principal, graphId?: string): Promise<{ items: ScheduleView[]; next_cursor: null }> {
    if (graphId) await this.visibleGraph(principal, graphId);
    const rows = (await withGraphs(await this.repository.list(graphId ? { graphId } : {}), this.graphs)).filter((row) => this.canSee(principal, row));
    const now = this.clock.now();
    return { items: rows.map((row) => scheduleView(row, now)), next_cursor: null };
  }

  async create(principal: Principal, graphId: string, body: CreateScheduleDto): Promise<ScheduleView> {
    const graph = await this.visibleGraph(principal, graphId);
    const problems = scheduleProblems(body.cron, body.timezone);
    if (problems.length > 0) throw validationFailed(problems);
    this.checkInterval(principal, body.cron);
    if (!graph.active) throw graphInactive(graphId);
    const inputs = body.inputs ?? {};
    const runProblems = await this.admission.scheduleProblems(graphId, graph.active_version, inputs, principal.user.id);
    if (!runProblems) throw graphNotFound(graphId);
    if (runProblems.length > 0) throw validationFailed(runProblems);
    const timezone = body.timezone ?? 'UTC';
    const id = await this.repository.createAdhoc({
      graph_id: graphId,
      cron: body.cron.trim(),
      timezone,
      inputs,
      user_id: principal.user.id,
      next_fire_at: nextFireAfter(body.cron, timezone, this.clock.now()),
    });
    const row = (await this.withGraph(await this.repository.find(id)))!;
    await this.driver.apply([driverSchedule(row)]);
    return scheduleView(row, this.clock.now());
  }

  async setPaused(principal: Principal, id: string, paused: boolean): Promise<ScheduleView> {
    const row = await this.manageable(principal, id);
    if (!paused && row.kind === 'adhoc') this.checkInterval(principal, row.cron);
    // Resuming starts from the next fire time after now: nothing missed while paused is replayed.
    await this.repository.setPaused(id, paused, paused ? null : nextFireAfter(row.cron, row.timezone, this.clock.now()));
    const after = (await this.withGraph(await this.repository.find(id)))!;
    await this.driver.apply([driverSchedule(after)]);
    return scheduleView(after, this.clock.now());
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const row = await this.manageable(principal, id);
    if (row.kind === 'trigger') throw triggerScheduleNotDeletable(id, row.graph_id, row.node_id);
    await this.repository.delete(id);
    await this.driver.remove([row]);
  }

  /** schedules.min_interval: an ordinary user's ad-hoc schedule may not fire more often (admins: any). */
  private checkInterval(principal: Principal, cron: string): void {
    const problem = this.intervals.problem(cron, principal.role);
    if (problem) throw validationFailed([problem]);
  }

  private canSee(principal: Principal, row: ScheduleRow): boolean {
    if (isAdmin(principal)) return true;
    const graphVisible = row.graph_source === 'file' || row.graph_created_by === principal.user.id;
    return graphVisible && (row.kind === 'trigger' || row.user_id === principal.user.id);
  }

  private async manageable(principal: Principal, id: string): Promise<ScheduleRow> {
    const row = await this.withGraph(await this.repository.find(id));
    if (!row || !this.canSee(principal, row)) throw scheduleNotFound(id);
    const mine = row.kind === 'adhoc' ? row.user_id === principal.user.id : row.graph_source === 'api' && row.graph_created_by === principal.user.id;
    if (!isAdmin(principal) && !mine) throw scheduleNotYours(id);
    return row;
  }

  private async withGraph(row: StoredSchedule | null): Promise<ScheduleRow | null> {
    return row ? ((await withGraphs([row], this.graphs))[0] ?? null) : null;
  }

  private async visibleGraph(principal: Principal, graphId: string) {
    const graph = await this.graphs.find(graphId);
    if (!graph || (!isAdmin(principal) && graph.source === 'api' && graph.created_by !== principal.user.id)) throw graphNotFound(graphId);
    return graph;
  }
}
