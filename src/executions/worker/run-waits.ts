// The waits of a running execution that end from outside its attempts: child executions (agent.run),
// reviews and events (through the OUTSIDE_WAITS port), and delays and wait timeouts on the run timers.
// Each end becomes its node's outcome, posted to the step journal like any attempt's.
import type { Logger } from 'pino';
import type { AttemptOutcome } from '../engine/block-attempt.js';
import type { NodeError } from '../engine/engine.errors.js';
import { NodeRunStatus, type NodeRun, type Step } from '../engine/engine.types.js';
import type { ExecutionScheduler } from '../engine/scheduler.js';
import { delayYields } from '../engine/suspensions.js';
import type { Timers } from '../engine/timers.js';
import { ChildWatch } from './child-watch.js';
import type { RunnerDeps, RunnerLimits } from './execution-runner.types.js';
import { OutsideWatch } from './outside-watch.js';
import type { RunTimers } from './run-timers.js';
import { emptyStep } from './step-journal.js';

/** What the waits need of their runner. */
export interface WaitsHost {
  readonly scheduler: ExecutionScheduler;
  readonly ended: boolean;
  post(event: () => Step): Promise<void>;
  /** Closes a node's attempt record (node-attempts.ts). */
  endAttempt(runId: string, error: NodeError | null): void;
}

export class RunWaits {
  readonly children: ChildWatch;
  private readonly outside: OutsideWatch;

  constructor(
    private readonly host: WaitsHost,
    deps: Pick<RunnerDeps, 'childResults' | 'outside'>,
    private readonly timers: RunTimers,
    private readonly clock: Timers,
    /** When each WAITING run is due (the runner's extras). */
    private readonly resumeAt: ReadonlyMap<string, number>,
    private readonly limits: Pick<RunnerLimits, 'maxValueBytes' | 'maxJsonDepth'>,
    private readonly logger: Logger,
  ) {
    this.children = new ChildWatch((ids) => deps.childResults(ids));
    this.outside = new OutsideWatch(deps.outside ?? null, (ids) => deps.childResults(ids));
  }

  /** Delivers the results of finished children; answers whether any was. Throws when they cannot be read. */
  async deliverChildren(): Promise<boolean> {
    const waits = this.children.waits(this.host.scheduler.nodeRuns);
    if (waits.length === 0 || this.host.ended) return false;
    const finished = await this.children.outcomes(waits, { maxValueBytes: this.limits.maxValueBytes, maxJsonDepth: this.limits.maxJsonDepth });
    for (const { run, outcome } of finished) void this.host.post(() => this.ending(run.id, outcome));
    return finished.length > 0;
  }

  /** Delivers ended reviews and consumed events as their nodes' outcomes; answers whether any was. */
  async deliverOutside(): Promise<boolean> {
    if (this.host.ended) return false;
    const ends = await this.outside.ended(this.host.scheduler.nodeRuns);
    for (const end of ends) this.postOutside(end.run, end.outcome);
    return ends.length > 0;
  }

  /** Arms a WAITING run's timer: a delay's end, or a review's or event's timeout. */
  arm(run: NodeRun): void {
    const inMs = Math.max(0, (this.resumeAt.get(run.id) ?? this.clock.now()) - this.clock.now());
    // An ai.agent waiting only on child executions has no timeout: the children's ends wake it.
    if (run.waiting_for?.kind === 'tool' && run.waiting_for.review_ids.length === 0) return;
    if (run.waiting_for?.kind === 'review' || run.waiting_for?.kind === 'event' || run.waiting_for?.kind === 'tool') {
      const expire = () =>
        void this.outside
          .expire(run)
          .then((end) => end && this.postOutside(end.run, end.outcome))
          .catch((error: unknown) => this.logger.warn({ err: error, node_id: run.node }, 'could not time a wait out; the next wake tries again'));
      this.timers.arm(run.id, inMs, expire);
      return;
    }
    this.timers.arm(run.id, inMs, () => void this.host.post(() => this.ending(run.id, { ok: true, yields: delayYields(run) })));
  }

  private postOutside(run: NodeRun, outcome: AttemptOutcome | 'resume'): void {
    this.timers.clear(run.id);
    void this.host.post(() => {
      if (run.status !== NodeRunStatus.WAITING) return emptyStep();
      if (outcome !== 'resume') return this.ending(run.id, outcome);
      // An ai.agent's tool reviews ended: the attempt that asked closes, and the node runs again from its stored conversation.
      this.host.endAttempt(run.id, null);
      return this.host.scheduler.toolsDecided(run.id);
    });
  }

  /** The node's outcome as the core's step, its attempt record closed. */
  private ending(runId: string, outcome: AttemptOutcome): Step {
    this.host.endAttempt(runId, outcome.ok ? null : outcome.error);
    return outcome.ok ? this.host.scheduler.attemptSucceeded(runId, outcome.yields) : this.host.scheduler.attemptFailed(runId, outcome.error);
  }
}
