// Collects what one event changed into a Step (each changed run once, in first-touched order).
import type { ExecutionChange, NodeRun, Step } from './engine.types.js';

export class StepBuilder {
  private changed: NodeRun[] = [];
  private readonly seen = new Set<NodeRun>();
  private started: NodeRun[] = [];
  private retries: Step['retries'] = [];
  private abort: string[] = [];
  private execution: ExecutionChange | null = null;

  touch(run: NodeRun): void {
    if (this.seen.has(run)) return;
    this.seen.add(run);
    this.changed.push(run);
  }

  start(run: NodeRun): void {
    this.touch(run);
    this.started.push(run);
  }

  retry(run: NodeRun, delayMs: number): void {
    this.touch(run);
    this.retries.push({ run, delay_ms: delayMs });
  }

  abortRun(run: NodeRun): void {
    this.touch(run);
    this.abort.push(run.id);
  }

  setExecution(change: ExecutionChange): void {
    this.execution = change;
  }

  /** The finished step; the builder is empty again. */
  take(): Step {
    const step: Step = { changed: this.changed, started: this.started, retries: this.retries, abort: this.abort, execution: this.execution };
    this.changed = [];
    this.seen.clear();
    this.started = [];
    this.retries = [];
    this.abort = [];
    this.execution = null;
    return step;
  }
}
