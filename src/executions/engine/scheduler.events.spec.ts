import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { drive, graph, testLookup } from './engine.fixtures.js';
import type { NodeRun, Step } from './engine.types.js';
import { compileGraph } from './graph.compiler.js';
import { ExecutionScheduler, type SchedulerOptions } from './scheduler.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';

const blocks = testLookup();
const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string) => ({ block: 'input', inputs: { name } });

function scheduler(definition: AgentDefinition, options: SchedulerOptions = {}) {
  return new ExecutionScheduler(compileGraph(definition, blocks), options);
}

const ids = (runs: readonly NodeRun[]) => runs.map((r) => `${r.node}:${r.status}`);

describe('ExecutionScheduler events', () => {
  it('starts at most maxParallel runs, and more as slots free up', () => {
    const s = scheduler(graph({ l: { block: 'test.spread', inputs: { items: [1, 2, 3, 4, 5] } }, p: 'test.pass' }, ['l.item -> p.value']), { maxParallel: 2 });
    s.seed({ inputs: {} });
    const [spread] = s.takeReady().started;
    s.attemptSucceeded(spread!.id, [
      ['item', 1],
      ['item', 2],
      ['item', 3],
      ['item', 4],
      ['item', 5],
    ]);
    const first = s.takeReady().started;
    expect(first.map((r) => r.inputs.value)).toEqual([1, 2]);
    expect(s.takeReady().started).toEqual([]);
    expect(s.counts).toMatchObject({ queued: 3, running: 2 });
    s.attemptSucceeded(first[0]!.id, [['value', 1]]);
    expect(s.takeReady().started.map((r) => r.inputs.value)).toEqual([3]);
  });

  it('delivers a non-streaming attempt only when it succeeds, so a retried attempt never delivers twice', () => {
    const s = scheduler(
      graph({ x: input('x'), f: { block: 'test.pass', retry: { attempts: 2, backoff: 'fixed', delay: 5 } }, r: out('r') }, [
        'x.value -> f.value',
        'f.value -> r.value',
      ]),
    );
    s.seed({ inputs: { x: 1 } });
    const [first] = s.takeReady().started;
    const failed = s.attemptFailed(first!.id, { code: 'NODE_FAILED', message: 'flaky', transient: true });
    expect(failed.retries).toEqual([{ run: first, delay_ms: 5 }]);
    expect(first!.status).toBe('WAITING');
    expect(first!.waiting_for).toEqual({ kind: 'retry', attempt: 2, delay_ms: 5 });
    expect(s.outputs()).toEqual({ r: [] });
    s.retryDue(first!.id);
    const [second] = s.takeReady().started;
    expect(second).toBe(first);
    expect(second!.attempt).toBe(2);
    const done = s.attemptSucceeded(second!.id, [['value', 1]]);
    expect(done.execution).toMatchObject({ status: 'COMPLETED', outputs: { r: [1] } });
  });

  it('runs an ai.agent again under the same attempt once the reviews of its tool calls ended, holding no slot meanwhile', () => {
    const s = scheduler(graph({ x: input('x'), f: 'test.pass', r: out('r') }, ['x.value -> f.value', 'f.value -> r.value']), { maxParallel: 1 });
    s.seed({ inputs: { x: 1 } });
    const [run] = s.takeReady().started;
    s.suspend(run!.id, { kind: 'tool', review_ids: ['rv1'], delay_ms: 1_000 });
    expect(run!.status).toBe('WAITING');
    expect(s.counts).toMatchObject({ running: 0, waiting: 1 });
    expect(s.retryDue(run!.id).changed).toEqual([]);
    s.toolsDecided(run!.id);
    expect(run!.status).toBe('QUEUED');
    const [again] = s.takeReady().started;
    expect(again).toBe(run);
    expect(again!.attempt).toBe(1);
    expect(s.attemptSucceeded(again!.id, [['value', 1]]).execution).toMatchObject({ status: 'COMPLETED', outputs: { r: [1] } });
  });

  it('delivers streaming yields at once, skips sequence numbers already delivered, and never retries after a yield', () => {
    const s = scheduler(
      graph({ x: input('x'), it: { block: 'test.iterate', retry: { attempts: 3, backoff: 'fixed', delay: 1 } }, p: 'test.pass', r: out('r') }, [
        'x.value -> it.items',
        'it.item -> p.value',
        'p.value -> r.value',
      ]),
    );
    s.seed({ inputs: { x: ['a', 'b'] } });
    const [it] = s.takeReady().started;
    const step = s.streamYield(it!.id, 1, 'item', 'a');
    expect(ids(step.changed)).toEqual(['it:RUNNING', 'p:QUEUED']);
    expect(s.streamYield(it!.id, 1, 'item', 'a').changed).toEqual([]);
    expect(it!.delivered_seq).toBe(1);
    const failed = s.attemptFailed(it!.id, { code: 'NODE_FAILED', message: 'source went away' });
    expect(failed.retries).toEqual([]);
    expect(failed.execution).toMatchObject({ status: 'FAILED', error: { code: 'NODE_FAILED', node_id: 'it' } });
    expect(it!.outputs).toEqual({ item: ['a'] });
  });

  it('treats a yield on the error pin as a failure', () => {
    const s = scheduler(graph({ x: input('x'), f: 'test.pass', e: out('e') }, ['x.value -> f.value', 'f.error -> e.value']));
    s.seed({ inputs: { x: 1 } });
    const [f] = s.takeReady().started;
    const step = s.attemptSucceeded(f!.id, [
      ['value', 1],
      ['error', { code: 'WHATEVER', message: 'bad' }],
    ]);
    expect(f!.status).toBe('FAILED');
    expect(step.execution).toMatchObject({ status: 'COMPLETED', outputs: { e: [{ code: 'WHATEVER', message: 'bad' }] } });
  });

  it('never routes a platform failure to the error pin', () => {
    const s = scheduler(graph({ x: input('x'), f: 'test.pass', e: out('e') }, ['x.value -> f.value', 'f.error -> e.value']));
    s.seed({ inputs: { x: 1 } });
    const [f] = s.takeReady().started;
    const step = s.attemptFailed(f!.id, { code: 'INSUFFICIENT_CREDITS', message: 'no credits left' });
    expect(step.execution).toMatchObject({ status: 'FAILED', error: { code: 'INSUFFICIENT_CREDITS', node_id: 'f' }, outputs: { e: [] } });
  });

  it('frees the slot of a suspended run and completes it from WAITING', () => {
    const s = scheduler(
      graph({ x: input('x'), d: { block: 'test.delay', inputs: { duration: '1s' } }, p: 'test.pass', r: out('r') }, [
        'x.value -> d.value',
        'x.value -> p.value',
        'd.value -> r.value',
        'p.value -> r.value',
      ]),
      { maxParallel: 1 },
    );
    s.seed({ inputs: { x: 'v' } });
    const [d] = s.takeReady().started;
    expect(d!.node).toBe('d');
    s.suspend(d!.id, { kind: 'delay', delay_ms: 1000 });
    expect(d!.status).toBe('WAITING');
    const [p] = s.takeReady().started;
    expect(p!.node).toBe('p');
    s.attemptSucceeded(p!.id, [['value', 'v']]);
    expect(s.executionStatus).toBe('RUNNING');
    const done = s.attemptSucceeded(d!.id, [['value', 'v']]);
    expect(done.execution).toMatchObject({ status: 'COMPLETED', outputs: { r: ['v', 'v'] } });
  });

  it('cancel stops queued, running and waiting runs, and ignores later events', () => {
    const s = scheduler(
      graph(
        {
          l: { block: 'test.spread', inputs: { items: [1, 2, 3] } },
          p: { block: 'test.pass', retry: { attempts: 2, backoff: 'fixed', delay: 1 } },
          r: out('r'),
        },
        ['l.item -> p.value', 'p.value -> r.value'],
      ),
      { maxParallel: 2 },
    );
    s.seed({ inputs: {} });
    s.attemptSucceeded(s.takeReady().started[0]!.id, [
      ['item', 1],
      ['item', 2],
      ['item', 3],
    ]);
    const [a, b] = s.takeReady().started;
    s.attemptFailed(b!.id, { code: 'NODE_FAILED', message: 'x', transient: true });
    const step = s.cancel();
    expect(step.execution).toMatchObject({ status: 'CANCELLED', error: { code: 'CANCELLED', node_id: null } });
    expect(step.abort).toEqual([a!.id, b!.id]);
    expect(ids(step.changed)).toEqual(['p:CANCELLED', 'p:CANCELLED', 'p:CANCELLED']);
    expect(s.attemptSucceeded(a!.id, [['value', 1]])).toEqual({ changed: [], started: [], retries: [], abort: [], execution: null });
    expect(s.cancel().execution).toBeNull();
    expect(s.outputs()).toEqual({ r: [] });
  });

  it('fail() ends a running execution with a platform error and aborts what runs', () => {
    const s = scheduler(graph({ x: input('x'), p: 'test.pass' }, ['x.value -> p.value']));
    s.seed({ inputs: { x: 1 } });
    const [p] = s.takeReady().started;
    const step = s.fail({ code: 'EXECUTION_TIMEOUT', message: 'The execution ran longer than 1s.' });
    expect(step.execution).toMatchObject({ status: 'FAILED', error: { code: 'EXECUTION_TIMEOUT', node_id: null } });
    expect(step.abort).toEqual([p!.id]);
  });

  it('computes exponential backoff capped by max_delay', () => {
    const s = scheduler(
      graph({ x: input('x'), f: { block: 'test.flaky', retry: { attempts: 5, backoff: 'exponential', delay: 100, max_delay: 300 } } }, ['x.value -> f.value']),
    );
    const delays: number[] = [];
    const steps = drive(s, blocks, { first: s.seed({ inputs: { x: 1 } }) }).steps;
    for (const step of steps) for (const retry of step.retries) delays.push(retry.delay_ms);
    expect(delays).toEqual([100, 200, 300, 300]);
    expect(s.executionError).toMatchObject({ code: 'NODE_FAILED', message: 'failed on attempt 5' });
  });

  it('is deterministic: the same events give the same steps', () => {
    const definition = graph({ x: input('x'), it: 'test.iterate', p: 'test.pass', c: { block: 'test.collect', inputs: { count: 2 } }, r: out('r') }, [
      'x.value -> it.items',
      'it.item -> p.value',
      'p.value -> c.item',
      'c.items -> r.value',
    ]);
    const play = () => {
      const s = scheduler(definition, { maxParallel: 3 });
      return JSON.stringify(
        drive(s, blocks, { first: s.seed({ inputs: { x: [1, 2, 3, 4, 5] } }) }).steps.map((step: Step) => ({
          ...step,
          changed: step.changed.map((r) => r.id),
        })),
      );
    };
    expect(play()).toBe(play());
  });

  it('lists each changed run once per step, in first-touched order', () => {
    const s = scheduler(
      graph({ k: input('k'), l: { block: 'test.spread', inputs: { items: [1, 2] } }, add: 'test.add' }, [
        { from: 'l.item', to: 'add.a' },
        { from: 'k.value', to: 'add.b' },
      ]),
    );
    const seeded = s.seed({ inputs: { k: 1 } });
    expect(ids(seeded.changed)).toEqual(['k:COMPLETED', 'add:INCOMPLETE', 'l:QUEUED']);
    const [l] = s.takeReady().started;
    const step = s.attemptSucceeded(l!.id, [
      ['item', 1],
      ['item', 2],
    ]);
    expect(ids(step.changed)).toEqual(['l:COMPLETED', 'add:QUEUED', 'add:QUEUED']);
  });

  it('refuses a trigger seed for a node that is not a trigger, naming the triggers', () => {
    const s = scheduler(graph({ t: 'test.trigger', p: 'test.pass' }, ['t.body -> p.value']));
    expect(() => s.seed({ trigger: { node: 'p', outputs: {} } })).toThrow(AppError);
    expect(() => s.seed({ trigger: { node: 'p', outputs: {} } })).toThrow(/"p" is not a trigger node of test-agent; its trigger nodes are: t/);
  });

  it('ignores events for unknown runs and refuses a second seed', () => {
    const s = scheduler(graph({ x: input('x'), p: 'test.pass' }, ['x.value -> p.value']));
    s.seed({ inputs: { x: 1 } });
    expect(s.attemptSucceeded('nope', []).changed).toEqual([]);
    expect(s.retryDue('nope').changed).toEqual([]);
    expect(() => s.seed({ inputs: { x: 1 } })).toThrow(/already RUNNING/);
  });

  it('fans 10,000 streamed items out and gathers them back in order', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const s = scheduler(
      graph({ x: input('x'), it: 'test.iterate', p: 'test.pass', c: 'test.collect', r: out('r') }, [
        'x.value -> it.items',
        'it.item -> p.value',
        'p.value -> c.item',
        'c.items -> r.value',
      ]),
      { maxNodeExecutions: 20_000 },
    );
    drive(s, blocks, { first: s.seed({ inputs: { x: items } }) });
    expect(s.outputs()).toEqual({ r: [items] });
    expect(s.counts.node_executions).toBe(10_003);
  });

  it('counts node executions of block and output nodes, not seeds', () => {
    const s = scheduler(graph({ x: input('x'), p: 'test.pass', r: out('r') }, ['x.value -> p.value', 'p.value -> r.value']));
    drive(s, blocks, { first: s.seed({ inputs: { x: 1 } }) });
    expect(s.counts.node_executions).toBe(2);
  });
});
