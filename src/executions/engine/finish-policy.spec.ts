import { describe, expect, it } from '@jest/globals';
import { graph, testLookup } from './engine.fixtures.js';
import { ExecutionState } from './execution-state.js';
import { finishExecution, settle } from './finish-policy.js';
import { compileGraph } from './graph.compiler.js';

const compiled = compileGraph(graph({ a: 'test.pass', b: 'test.pass', c: 'test.pass', out: { block: 'output', inputs: { name: 'r' } } }), testLookup());

/** A live execution with one run QUEUED (a), one RUNNING (b) and one WAITING (c). */
function live(): ExecutionState {
  const state = new ExecutionState(compiled, (seq) => `n${seq}`);
  state.status = 'RUNNING';
  const [a, b, c] = ['a', 'b', 'c'].map((id) => state.newRun(compiled.nodes.get(id)!));
  state.enqueue(a!);
  b!.status = 'RUNNING';
  state.running = 1;
  c!.status = 'WAITING';
  c!.waiting_for = { kind: 'delay', delay_ms: 10 };
  state.active.add(b!).add(c!);
  state.step.take();
  return state;
}

describe('finishExecution', () => {
  it('cancels queued runs, cancels and aborts running and waiting ones, and reports status, error and results', () => {
    const state = live();
    const error = { code: 'EXECUTION_TIMEOUT', message: 'too long', node_id: null };
    finishExecution(state, 'FAILED', error);
    expect(state.runs.map((r) => [r.node, r.status, r.waiting_for])).toEqual([
      ['a', 'CANCELLED', null],
      ['b', 'CANCELLED', null],
      ['c', 'CANCELLED', null],
    ]);
    expect([state.status, state.error, state.running, state.active.size, state.queued]).toEqual(['FAILED', error, 0, 0, 0]);
    const step = state.step.take();
    expect(step.abort).toEqual(['n2', 'n3']);
    expect(step.changed.map((r) => r.id)).toEqual(['n1', 'n2', 'n3']);
    expect(step.execution).toEqual({ status: 'FAILED', error, outputs: { r: [] } });
  });

  it('the first final status wins: a later finish changes nothing', () => {
    const state = live();
    finishExecution(state, 'CANCELLED', { code: 'CANCELLED', message: 'stopped', node_id: null });
    state.step.take();
    finishExecution(state, 'FAILED', { code: 'NODE_FAILED', message: 'late', node_id: 'b' });
    expect([state.status, state.error?.code]).toEqual(['CANCELLED', 'CANCELLED']);
    expect(state.step.take().execution).toBeNull();
  });
});

describe('settle', () => {
  it('completes a quiet execution once no gather run can fire, flushing the ones that can first', () => {
    const state = new ExecutionState(compiled, (seq) => `n${seq}`);
    state.status = 'RUNNING';
    let flushable = 2;
    settle(state, () => flushable-- > 0);
    expect(flushable).toBe(-1);
    expect(state.status).toBe('COMPLETED');
    expect(state.step.take().execution).toEqual({ status: 'COMPLETED', error: null, outputs: { r: [] } });
  });

  it('leaves an execution with work in flight running', () => {
    const state = live();
    settle(state, () => false);
    expect(state.status).toBe('RUNNING');
  });
});
