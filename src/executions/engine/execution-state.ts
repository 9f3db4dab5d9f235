// The state of one execution as the scheduler keeps it: the node runs (the persisted part) and what is
// derived from them for speed (inboxes of INCOMPLETE runs, the ready queue, RUNNING/WAITING runs,
// counters, results). `adopt` rebuilds the derived part from stored rows.
import type { ExecutionError } from './engine.errors.js';
import { NodeRunStatus, ExecutionStatus, type NodeRun } from './engine.types.js';
import type { CompiledGraph, CompiledNode } from './graph.compiler.js';
import { slotValueOf } from './link-values.js';
import { NodeInbox, newIncompleteRun } from './node-inbox.js';
import { StepBuilder } from './step.builder.js';

/** What a shell stores and reads back (see scheduler.ts). */
export interface ExecutionSnapshot {
  status: ExecutionStatus;
  error: ExecutionError | null;
  runs: readonly NodeRun[];
}

export class ExecutionState {
  status: ExecutionStatus = ExecutionStatus.QUEUED;
  error: ExecutionError | null = null;
  /** Node executions of block and output nodes so far (the cap counts these). */
  counted = 0;
  /** RUNNING runs (they hold a slot). */
  running = 0;
  readonly runs: NodeRun[] = [];
  /** RUNNING and WAITING runs. */
  readonly active = new Set<NodeRun>();
  readonly step = new StepBuilder();
  private readonly byId = new Map<string, NodeRun>();
  private readonly inboxes = new Map<string, NodeInbox>();
  private readonly results = new Map<string, unknown[]>();
  private ready: NodeRun[] = [];
  private readyHead = 0;
  private nextSeq = 1;
  private readonly createRun = (node: CompiledNode): NodeRun => this.newRun(node);

  constructor(
    readonly graph: CompiledGraph,
    private readonly newRunId: (seq: number) => string,
  ) {
    for (const name of graph.outputNames) this.results.set(name, []);
  }

  get live(): boolean {
    return this.status === ExecutionStatus.RUNNING;
  }

  get queued(): number {
    return this.ready.length - this.readyHead;
  }

  newRun(node: CompiledNode): NodeRun {
    const seq = this.nextSeq++;
    const run = newIncompleteRun(this.newRunId(seq), seq, node);
    this.runs.push(run);
    this.byId.set(run.id, run);
    this.step.touch(run);
    return run;
  }

  inbox(node: CompiledNode): NodeInbox {
    let inbox = this.inboxes.get(node.id);
    if (!inbox) {
      inbox = new NodeInbox(node, this.createRun);
      this.inboxes.set(node.id, inbox);
    }
    return inbox;
  }

  existingInbox(nodeId: string): NodeInbox | undefined {
    return this.inboxes.get(nodeId);
  }

  node(run: NodeRun): CompiledNode {
    return this.graph.nodes.get(run.node)!;
  }

  enqueue(run: NodeRun): void {
    run.status = NodeRunStatus.QUEUED;
    this.ready.push(run);
  }

  dequeue(): NodeRun | undefined {
    if (this.readyHead === this.ready.length) return undefined;
    const run = this.ready[this.readyHead]!;
    this.ready[this.readyHead++] = undefined as unknown as NodeRun;
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    return run;
  }

  /** Puts runs back at the front of the ready queue, in the given order (runs held back by node concurrency). */
  requeueFirst(runs: readonly NodeRun[]): void {
    if (runs.length) this.ready.splice(this.readyHead, 0, ...runs);
  }

  /** Removes the run enqueued last (to put it elsewhere in the queue). */
  takeLast(): NodeRun[] {
    return this.ready.length > this.readyHead ? [this.ready.pop()!] : [];
  }

  /** RUNNING and WAITING runs of one node (what its `concurrency` counts). */
  activeOf(nodeId: string): number {
    let count = 0;
    for (const run of this.active) if (run.node === nodeId) count++;
    return count;
  }

  /** Empties the ready queue, returning what was in it. */
  drainQueued(): NodeRun[] {
    const queued = this.ready.slice(this.readyHead);
    this.ready = [];
    this.readyHead = 0;
    return queued;
  }

  /** The run, if it is RUNNING or WAITING in a live execution. */
  activeRun(runId: string): NodeRun | null {
    if (!this.live) return null;
    const run = this.byId.get(runId);
    return run && this.active.has(run) ? run : null;
  }

  /** A run leaves RUNNING or WAITING. */
  release(run: NodeRun): void {
    if (run.status === NodeRunStatus.RUNNING) this.running--;
    this.active.delete(run);
  }

  /** Appends a yielded value to the run's outputs. */
  record(run: NodeRun, pin: string, value: unknown): void {
    const list = run.outputs[pin];
    if (list) list.push(value);
    else run.outputs[pin] = [value];
  }

  collectResult(node: CompiledNode, value: unknown): void {
    this.results.get(node.name!)!.push(value);
  }

  outputs(): Record<string, unknown[]> {
    return Object.fromEntries(this.results);
  }

  /** Rebuilds everything from stored rows; RUNNING rows of a live execution go back to the queue. */
  adopt(snapshot: ExecutionSnapshot): void {
    this.status = snapshot.status;
    this.error = snapshot.error;
    for (const run of [...snapshot.runs].sort((a, b) => a.seq - b.seq)) {
      const node = this.graph.nodes.get(run.node);
      if (!node) throw new Error(`Node execution ${run.id} belongs to node "${run.node}", which this graph version does not have.`);
      this.runs.push(run);
      this.byId.set(run.id, run);
      this.nextSeq = Math.max(this.nextSeq, run.seq + 1);
      const complete = run.status !== NodeRunStatus.INCOMPLETE;
      for (const slot of node.heldSlots) {
        const held = slotValueOf(node, slot.index, run.inputs, complete);
        if (held.has) this.inbox(node).restoreHeld(slot.index, held.value);
      }
      if (complete && (node.kind === 'block' || node.kind === 'output')) this.counted++;
      if (run.status === NodeRunStatus.INCOMPLETE) this.inbox(node).restorePending(run);
      else if (run.status === NodeRunStatus.COMPLETED && node.kind === 'output') this.collectResult(node, run.inputs.value);
      else if (this.live) this.adoptActive(run);
    }
  }

  private adoptActive(run: NodeRun): void {
    if (run.status === NodeRunStatus.QUEUED) this.ready.push(run);
    else if (run.status === NodeRunStatus.RUNNING) {
      // The attempt cut short runs again under its own number (takeReady adds one back): a charge is
      // unique per (node execution, attempt), so however often it is resumed it is charged once.
      run.attempt = Math.max(0, run.attempt - 1);
      this.enqueue(run);
      this.step.touch(run);
    } else if (run.status === NodeRunStatus.WAITING) {
      this.active.add(run);
      if (run.waiting_for?.kind === 'retry') this.step.retry(run, run.waiting_for.delay_ms);
    }
  }
}
