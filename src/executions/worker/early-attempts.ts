// Attempts of instant blocks start before the step that started them is written, so that one that ends at
// once (within the same turn of the event loop) is written once, already COMPLETED, instead of RUNNING then
// COMPLETED in two steps. Only blocks whose attempt can be repeated unseen qualify (no side effects, no
// charge, no credentials, no suspension, no stream): a crash before the write re-runs the step, as it did,
// and a row is still in Postgres before anything announces it. An attempt that has not ended by then goes on
// running; its RUNNING row is written with the step as usual.
import type { BlockDefinition } from '../../blocks/block.types.js';
import { NodeRunStatus, type Step } from '../engine/engine.types.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import type { Timers } from '../engine/timers.js';
import type { NodeAttempts } from './node-attempts.js';

/** Which blocks' attempts may start before their step is written. */
export type EarlyRule = (block: BlockDefinition) => boolean;

/** Whether `block`'s attempt may start before its RUNNING row is written (its repetition is invisible). */
export function mayRunBeforeItsRow(block: BlockDefinition): boolean {
  return (
    block.cost === 0 &&
    !block.sideEffects &&
    !block.chargedPerCall &&
    !block.suspend &&
    !block.streaming &&
    !block.trigger &&
    block.allow === undefined &&
    Object.keys(block.credentials ?? {}).length === 0
  );
}

export class EarlyAttempts {
  /** Runs launched before their step was written, still to be skipped when it is. */
  private readonly launched = new Set<string>();

  constructor(
    private readonly graph: CompiledGraph,
    private readonly eligible: EarlyRule,
    private readonly attempts: Pick<NodeAttempts, 'begin' | 'launch'>,
    private readonly clock: Pick<Timers, 'now'>,
  ) {}

  /** Launches the started runs of instant blocks not launched yet; answers whether any was. */
  launch(merged: Step): boolean {
    let any = false;
    for (const run of merged.started) {
      if (run.status !== NodeRunStatus.RUNNING || this.launched.has(run.id)) continue;
      const node = this.graph.nodes.get(run.node);
      if (!node || !this.eligible(node.block)) continue;
      this.launched.add(run.id);
      this.attempts.begin(run, this.clock.now());
      this.attempts.launch(run);
      any = true;
    }
    return any;
  }

  /** Whether `run` was launched before its step's write (its attempt is begun and running already). */
  has(runId: string): boolean {
    return this.launched.has(runId);
  }

  /** The step is written: its early runs are ordinary running attempts from now on. */
  clear(): void {
    this.launched.clear();
  }
}
