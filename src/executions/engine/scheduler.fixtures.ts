// The scheduler's tables of cases (scheduler.spec.ts, scheduler.failures.spec.ts): a case is a graph, its seed and
// what the run must end with; expectCase drives the scheduler synchronously over the engine's test blocks.
import { expect } from '@jest/globals';
import type { AgentDefinition } from '../../agent-format/graph.types.js';
import { drive, testLookup } from './engine.fixtures.js';
import type { Seed } from './engine.types.js';
import { compileGraph } from './graph.compiler.js';
import { ExecutionScheduler, type SchedulerOptions } from './scheduler.js';

const blocks = testLookup();

function run(definition: AgentDefinition, seed: Seed = { inputs: {} }, options: SchedulerOptions = {}) {
  const scheduler = new ExecutionScheduler(compileGraph(definition, blocks), options);
  const driven = drive(scheduler, blocks, { first: scheduler.seed(seed) });
  const incomplete = scheduler.nodeRuns.filter((r) => r.status === 'INCOMPLETE').map((r) => ({ node: r.node, inputs: r.inputs }));
  const runsOf = (node: string) => scheduler.nodeRuns.filter((r) => r.node === node && r.status !== 'INCOMPLETE').length;
  return {
    scheduler,
    status: scheduler.executionStatus,
    error: scheduler.executionError,
    outputs: scheduler.outputs(),
    incomplete,
    runsOf,
    attempts: driven.attempts,
  };
}

export const out = (name: string) => ({ block: 'output', inputs: { name } });
export const input = (name: string, extra: Record<string, unknown> = {}) => ({ block: 'input', inputs: { name, ...extra } });

export interface Case {
  name: string;
  graph: AgentDefinition;
  seed?: Seed;
  options?: SchedulerOptions;
  status?: string;
  outputs?: Record<string, unknown[]>;
  error?: { code: string; node_id: string | null; message?: RegExp };
  incomplete?: Array<{ node: string; inputs: Record<string, unknown> }>;
  runs?: Record<string, number>;
}

/** Runs the case's graph to its end and checks what the case names (COMPLETED without an error unless it says otherwise). */
export function expectCase(c: Case): void {
  const result = run(c.graph, c.seed, c.options);
  expect(result.status).toBe(c.status ?? 'COMPLETED');
  if (c.status === undefined || c.status === 'COMPLETED') expect(result.error).toBeNull();
  if (c.outputs) expect(result.outputs).toEqual(c.outputs);
  if (c.error) {
    expect(result.error).toMatchObject({ code: c.error.code, node_id: c.error.node_id });
    if (c.error.message) expect(result.error!.message).toMatch(c.error.message);
  }
  if (c.incomplete) expect(result.incomplete).toEqual(c.incomplete);
  for (const [node, count] of Object.entries(c.runs ?? {})) expect({ node, runs: result.runsOf(node) }).toEqual({ node, runs: count });
}
