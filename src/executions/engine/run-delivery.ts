// Fan-out and collection for the scheduler (scheduler.ts): values a node yields travel along its links
// into its sinks' inboxes (node-inbox.ts); a run whose inputs are complete is admitted (counted against
// the node-execution cap, then QUEUED, or collected at once for an output node); a run that fails for good
// sends `{code, message}` out of its error pin, or ends the execution. Kept apart from the event handlers
// so each event reads as "change the run, deliver, settle", and this part is one place.
import { describeValue, EngineErrorCode, isPlatformFailure, type NodeError } from './engine.errors.js';
import { ExecutionStatus, NodeRunStatus, type NodeRun } from './engine.types.js';
import type { ExecutionState } from './execution-state.js';
import { finishExecution } from './finish-policy.js';
import { hasErrorLinks, type CompiledLink, type CompiledNode } from './graph.compiler.js';
import { checkHttpResponse, HTTP_RESPONSE_OUTPUT } from './http-response.js';
import { buildRunInputs, pickPath } from './link-values.js';
import type { ReplayBook, StreamResume } from './replay.js';

export class RunDelivery {
  /** Link values waiting to be delivered within the current event (parallel arrays: no tuple per value). */
  private readonly pendingLinks: CompiledLink[] = [];
  private readonly pendingValues: unknown[] = [];

  constructor(
    private readonly state: ExecutionState,
    private readonly maxNodeExecutions: number,
  ) {}

  /** A value the run yielded on `pin`: recorded in its outputs and sent along the pin's links (at the next drain). */
  yieldValue(run: NodeRun, node: CompiledNode, pin: string, value: unknown): void {
    this.state.record(run, pin, value);
    this.emit(node, pin, value);
  }

  /**
   * Retry from the failure: completes a QUEUED run from its recorded copy, if `replay` has one; its yields go
   * out again, no attempt. A streaming run the retried execution left unfinished delivers what it had
   * delivered and then runs (false), resuming after that sequence number.
   */
  reuseRun(replay: ReplayBook | null, run: NodeRun): boolean {
    const yields = replay && run.attempt === 0 ? replay.take(run.node, run.inputs) : null;
    const node = this.state.node(run);
    if (!yields) {
      const stream = replay && node.streaming && run.attempt === 0 && run.delivered_seq === 0 ? replay.takeStream(run.node, run.inputs) : null;
      if (stream) this.resumeStream(run, node, stream);
      return false;
    }
    run.status = NodeRunStatus.COMPLETED;
    run.reused = true;
    run.waiting_for = null;
    run.outputs = {};
    this.state.step.touch(run);
    for (const [pin, value] of yields) {
      if (node.streaming) run.delivered_seq++;
      this.yieldValue(run, node, pin, value);
    }
    this.drain();
    return true;
  }

  private resumeStream(run: NodeRun, node: CompiledNode, stream: StreamResume): void {
    this.state.step.touch(run);
    for (const [pin, value] of stream.yields) this.yieldValue(run, node, pin, value);
    run.delivered_seq = stream.delivered_seq;
    this.drain();
  }

  /** A COMPLETED run that yields without a block call (an input value, the trigger's event). */
  seedRun(node: CompiledNode, yields: ReadonlyArray<readonly [string, unknown]>): void {
    const run = this.state.newRun(node);
    run.status = NodeRunStatus.COMPLETED;
    for (const [pin, value] of yields) this.yieldValue(run, node, pin, value);
  }

  /** Delivers pending link values in order (a delivery can add more: the error pin of a failed sink). */
  drain(): void {
    for (let i = 0; i < this.pendingLinks.length && this.state.live; i++) this.deliver(this.pendingLinks[i]!, this.pendingValues[i]);
    this.pendingLinks.length = 0;
    this.pendingValues.length = 0;
  }

  /** A run with complete inputs: counted, then QUEUED (or, for an output node, collected at once). */
  admit(node: CompiledNode, run: NodeRun): void {
    const state = this.state;
    run.inputs = buildRunInputs(node, run.inputs);
    state.step.touch(run);
    if (!this.countRun(node, run)) return;
    if (node.unsatisfiedRequired.length > 0) {
      this.failRun(run, { code: EngineErrorCode.NODE_FAILED, message: unsatisfiedMessage(node) });
    } else if (node.kind === 'output') {
      const invalid = node.name === HTTP_RESPONSE_OUTPUT ? checkHttpResponse(run.inputs.value) : null;
      if (invalid && !invalid.ok) {
        this.failRun(run, {
          code: EngineErrorCode.HTTP_RESPONSE_INVALID,
          message: `Output "${node.id}" (http_response) got a value that cannot be sent as an HTTP answer: ${invalid.problem}.`,
        });
        return;
      }
      run.status = NodeRunStatus.COMPLETED;
      state.collectResult(node, run.inputs.value);
    } else {
      state.enqueue(run);
    }
  }

  /** At quiet: admits one gather run (earliest rank first) whose only lack is more values; false when none. */
  flushOneGather(): boolean {
    for (const node of this.state.graph.gatherNodes) {
      const run = this.state.existingInbox(node.id)?.takeFlushable();
      if (!run) continue;
      this.admit(node, run);
      this.drain();
      return true;
    }
    return false;
  }

  /** A node execution failed for good: its error pin carries `{code, message}` if linked, else the execution fails. */
  failRun(run: NodeRun, error: NodeError): void {
    const node = this.state.node(run);
    run.status = NodeRunStatus.FAILED;
    run.error = error;
    run.waiting_for = null;
    this.state.step.touch(run);
    if (isPlatformFailure(error.code) || !hasErrorLinks(node)) {
      finishExecution(this.state, ExecutionStatus.FAILED, {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
        node_id: node.id,
      });
      return;
    }
    const value = { code: error.code, message: error.message };
    // A stream keeps what it delivered (a retry from the failure delivers it again and resumes after it).
    run.outputs = { ...(node.streaming ? run.outputs : {}), error: [value] };
    this.emit(node, 'error', value);
  }

  private emit(node: CompiledNode, pin: string, value: unknown): void {
    const links = node.outgoing.get(pin);
    if (!links) return;
    for (const link of links) {
      this.pendingLinks.push(link);
      this.pendingValues.push(value);
    }
  }

  private deliver(link: CompiledLink, value: unknown): void {
    const state = this.state;
    const sink = state.graph.nodes.get(link.sink)!;
    let delivered = value;
    if (link.path.length > 0) {
      const picked = pickPath(value, link.path);
      if (!picked.found) {
        const run = state.newRun(sink);
        if (this.countRun(sink, run))
          this.failRun(run, { code: EngineErrorCode.LINK_KEY_MISSING, message: keyMissingMessage(link, picked.depth, picked.parent) });
        return;
      }
      delivered = picked.value;
    }
    const inbox = state.inbox(sink);
    for (const run of inbox.accept(link.slot, delivered)) state.step.touch(run);
    for (let run = inbox.takeComplete(); run !== null && state.live; run = inbox.takeComplete()) this.admit(sink, run);
  }

  /** Counts a node execution against the cap; at the cap the run fails and the execution with it. */
  private countRun(node: CompiledNode, run: NodeRun): boolean {
    if (node.kind !== 'block' && node.kind !== 'output') return true;
    if (this.state.counted < this.maxNodeExecutions) {
      this.state.counted++;
      return true;
    }
    const error = {
      code: EngineErrorCode.NODE_LIMIT,
      message: `The execution reached its limit of ${this.maxNodeExecutions} node executions (executor.max_node_executions) when node "${node.id}" was about to run; a loop that never stops is the usual cause.`,
    };
    run.status = NodeRunStatus.FAILED;
    run.error = error;
    this.state.step.touch(run);
    finishExecution(this.state, ExecutionStatus.FAILED, { ...error, node_id: node.id });
    return false;
  }
}

function keyMissingMessage(link: CompiledLink, depth: number, parent: unknown): string {
  const key = link.path[depth]!;
  const at = link.path.slice(0, depth).join('.');
  return `Link ${link.label}: the value has no ${/^\d+$/.test(key) ? 'item' : 'key'} "${key}"${at ? ` under "${at}"` : ''} (it is ${describeValue(parent)}). Link a key the value has, or link the "error" pin of "${link.sink}" to handle this.`;
}

function unsatisfiedMessage(node: CompiledNode): string {
  const one = node.unsatisfiedRequired.length === 1;
  const pins = node.unsatisfiedRequired.map((p) => `"${p}"`).join(', ');
  return `Node "${node.id}" (${node.blockId}) cannot run: required input pin${one ? '' : 's'} ${pins} ha${one ? 's' : 've'} no value. Set ${one ? 'it' : 'them'} under the node's inputs or link ${one ? 'it' : 'them'}.`;
}
