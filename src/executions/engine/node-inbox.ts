// The INCOMPLETE runs of one node, and how arriving values fill them.
//
// - A `queue` value goes to the oldest INCOMPLETE run that lacks that slot (a new run if none does): the
//   i-th value of each pin meets the i-th value of every other pin (FIFO pairing).
// - A `held` value (static link, sticky pin) is remembered and set on every INCOMPLETE run; a run created
//   later starts with every held value. If no run is INCOMPLETE, one is created holding it, so the value
//   survives in the rows (and a resume finds it again as the slot's value in the node's latest run).
// - A `gather` value is appended to the oldest INCOMPLETE run's list.
//
// For each queue slot the runs that have it form a prefix of the INCOMPLETE runs, so runs complete from
// the front, and `filled[slot]` (the prefix length) finds the run a value goes to in O(1).
import type { CompiledNode, CompiledSlot } from './graph.compiler.js';
import { NodeRunStatus, type NodeRun } from './engine.types.js';

interface Pending {
  run: NodeRun;
  /** Queue and held slots still without a value. */
  missing: number;
}

export class NodeInbox {
  private readonly pending: Pending[] = [];
  private head = 0;
  private readonly filled: number[];
  private readonly held = new Map<number, unknown>();

  constructor(
    readonly node: CompiledNode,
    private readonly createRun: (node: CompiledNode) => NodeRun,
  ) {
    this.filled = node.slots.map(() => 0);
  }

  get size(): number {
    return this.pending.length - this.head;
  }

  /** Puts one value into its slot; returns the runs whose inputs changed. */
  accept(slot: CompiledSlot, value: unknown): NodeRun[] {
    if (slot.mode === 'queue') {
      const position = this.filled[slot.index]!;
      const entry = position < this.size ? this.pending[this.head + position]! : this.open();
      entry.run.inputs[slot.key] = value;
      entry.missing--;
      this.filled[slot.index] = position + 1;
      return [entry.run];
    }
    if (slot.mode === 'gather') {
      const entry = this.size > 0 ? this.pending[this.head]! : this.open();
      const list = entry.run.inputs[slot.key];
      if (Array.isArray(list)) list.push(value);
      else entry.run.inputs[slot.key] = [value];
      return [entry.run];
    }
    this.held.set(slot.index, value);
    if (this.size === 0) return [this.open().run];
    const touched: NodeRun[] = [];
    for (let i = this.head; i < this.pending.length; i++) {
      const entry = this.pending[i]!;
      if (!Object.prototype.hasOwnProperty.call(entry.run.inputs, slot.key)) entry.missing--;
      entry.run.inputs[slot.key] = value;
      touched.push(entry.run);
    }
    return touched;
  }

  /** The oldest INCOMPLETE run, removed, when it has a complete set of inputs (not counting a quiet flush). */
  takeComplete(): NodeRun | null {
    const entry = this.front();
    if (!entry || entry.missing > 0 || !this.gatherReady(entry.run)) return null;
    // A count of 0 fires with nothing gathered (list.collect of an empty list): its gather pins are empty lists.
    for (const slot of this.node.gatherSlots) if (!Array.isArray(entry.run.inputs[slot.key])) entry.run.inputs[slot.key] = [];
    return this.shift();
  }

  /** At quiet: the oldest run, removed, when its only lack is more gathered values (it has at least one of each). */
  takeFlushable(): NodeRun | null {
    const entry = this.front();
    if (!entry || entry.missing > 0 || this.node.gatherSlots.length === 0) return null;
    for (const slot of this.node.gatherSlots) {
      const list = entry.run.inputs[slot.key];
      if (!Array.isArray(list) || list.length === 0) return null;
    }
    return this.shift();
  }

  /** Resume: an INCOMPLETE row read back, in seq order. */
  restorePending(run: NodeRun): void {
    let missing = 0;
    for (const slot of this.node.slots) {
      if (slot.mode === 'gather') continue;
      if (!Object.prototype.hasOwnProperty.call(run.inputs, slot.key)) missing++;
      else if (slot.mode === 'queue' && this.filled[slot.index] === this.size) this.filled[slot.index]!++;
    }
    this.pending.push({ run, missing });
  }

  /** Resume: the latest value a held slot received. */
  restoreHeld(slotIndex: number, value: unknown): void {
    this.held.set(slotIndex, value);
  }

  private front(): Pending | undefined {
    return this.pending[this.head];
  }

  private shift(): NodeRun {
    const entry = this.pending[this.head]!;
    this.pending[this.head] = undefined as unknown as Pending;
    this.head++;
    for (const slot of this.node.queueSlots) this.filled[slot.index] = Math.max(0, this.filled[slot.index]! - 1);
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    return entry.run;
  }

  private open(): Pending {
    const run = this.createRun(this.node);
    let missing = this.node.queueSlots.length + this.node.heldSlots.length;
    for (const [index, value] of this.held) {
      run.inputs[this.node.slots[index]!.key] = value;
      missing--;
    }
    const entry = { run, missing };
    this.pending.push(entry);
    return entry;
  }

  /** Without a quiet flush, a gather run fires only once every gather pin holds `count` values (at once when count is 0). */
  private gatherReady(run: NodeRun): boolean {
    if (this.node.gatherSlots.length === 0) return true;
    const countPin = this.node.gatherCountPin;
    if (countPin === null) return false;
    const count = Object.prototype.hasOwnProperty.call(run.inputs, countPin) ? run.inputs[countPin] : this.node.constants[countPin];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return false;
    return this.node.gatherSlots.every((slot) => {
      const list = run.inputs[slot.key];
      return (Array.isArray(list) ? list.length : 0) >= count;
    });
  }
}

export function newIncompleteRun(id: string, seq: number, node: CompiledNode): NodeRun {
  return {
    id,
    seq,
    node: node.id,
    block: node.blockId,
    status: NodeRunStatus.INCOMPLETE,
    inputs: {},
    outputs: {},
    error: null,
    attempt: 0,
    delivered_seq: 0,
    waiting_for: null,
  };
}
