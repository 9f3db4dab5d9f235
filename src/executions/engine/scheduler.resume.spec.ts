import { describe, expect, it } from '@jest/globals';
import { drive, graph, testLookup } from './engine.fixtures.js';
import type { Seed } from './engine.types.js';
import { compileGraph } from './graph.compiler.js';
import { ExecutionScheduler, type ExecutionSnapshot, type SchedulerOptions } from './scheduler.js';
import type { AgentDefinition } from '../../agent-format/graph.types.js';

const blocks = testLookup();
const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string) => ({ block: 'input', inputs: { name } });

/** What a database round trip does to the rows. */
const stored = (snapshot: ExecutionSnapshot): ExecutionSnapshot => JSON.parse(JSON.stringify(snapshot)) as ExecutionSnapshot;

function completedPerNode(s: ExecutionScheduler): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of s.nodeRuns) if (run.status === 'COMPLETED') counts[run.node] = (counts[run.node] ?? 0) + 1;
  return counts;
}

function uninterrupted(definition: AgentDefinition, seed: Seed, options: SchedulerOptions = {}) {
  const s = new ExecutionScheduler(compileGraph(definition, blocks), options);
  const { attempts } = drive(s, blocks, { first: s.seed(seed) });
  return { s, attempts };
}

/** Runs `crashAfter` attempts, "crashes" (runs started but not reported stay RUNNING), then resumes from stored rows. */
function crashAndResume(definition: AgentDefinition, seed: Seed, crashAfter: number, options: SchedulerOptions = {}) {
  const compiled = compileGraph(definition, blocks);
  const before = new ExecutionScheduler(compiled, options);
  const first = drive(before, blocks, { first: before.seed(seed), maxAttempts: crashAfter });
  const completedBefore = completedPerNode(before);
  const { scheduler, step } = ExecutionScheduler.restore(compiled, stored(before.snapshot()), options);
  const second = drive(scheduler, blocks, { first: step });
  return { scheduler, completedBefore, attemptsBefore: first.attempts, attemptsAfter: second.attempts, step };
}

const graphs: Array<{ name: string; definition: AgentDefinition; seed: Seed; options?: SchedulerOptions }> = [
  {
    name: 'fan-out, static input, FIFO pairs and leftovers',
    definition: graph(
      {
        k: input('k'),
        x: input('x'),
        it: 'test.iterate',
        l: { block: 'test.spread', inputs: { items: [10, 20] } },
        add: 'test.add',
        add2: 'test.add',
        r: out('r'),
        s: out('s'),
      },
      ['x.value -> it.items', 'it.item -> add.a', 'k.value -> add.b', 'add.sum -> r.value', 'it.item -> add2.a', 'l.item -> add2.b', 'add2.sum -> s.value'],
    ),
    seed: { inputs: { k: 100, x: [1, 2, 3] } },
    options: { maxParallel: 2 },
  },
  {
    name: 'gathers with and without count, sticky count',
    definition: graph(
      { n: input('n'), x: input('x'), it: 'test.iterate', p: 'test.pass', c: 'test.collect', c2: 'test.collect', r: out('r'), all: out('all') },
      [
        'x.value -> it.items',
        'it.item -> p.value',
        'p.value -> c.item',
        'n.value -> c.count',
        'c.items -> r.value',
        'p.value -> c2.item',
        'c2.items -> all.value',
      ],
    ),
    seed: { inputs: { n: 2, x: [1, 2, 3, 4, 5] } },
  },
  {
    name: 'a loop, sink dict keys and a handled failure',
    definition: graph(
      { n: input('n'), cd: 'test.countdown', f: { block: 'test.format', inputs: { values: { a: 1 } } }, bad: 'test.flaky', r: out('r'), e: out('e') },
      ['n.value -> cd.n', 'cd.next -> cd.n', 'cd.next -> f.values.b', 'f.text -> r.value', 'cd.done -> bad.value', 'bad.error.code -> e.value'],
    ),
    seed: { inputs: { n: 4 } },
  },
];

describe('ExecutionScheduler.restore', () => {
  for (const g of graphs) {
    it(`${g.name}: a crash after any attempt resumes to the same outcome, never re-running completed runs`, () => {
      const whole = uninterrupted(g.definition, g.seed, g.options);
      expect(whole.s.executionStatus).toBe('COMPLETED');
      for (let crashAfter = 0; crashAfter <= whole.attempts.length; crashAfter++) {
        const resumed = crashAndResume(g.definition, g.seed, crashAfter, g.options);
        expect({ crashAfter, status: resumed.scheduler.executionStatus, outputs: resumed.scheduler.outputs() }).toEqual({
          crashAfter,
          status: 'COMPLETED',
          outputs: whole.s.outputs(),
        });
        expect({ crashAfter, completed: completedPerNode(resumed.scheduler) }).toEqual({ crashAfter, completed: completedPerNode(whole.s) });
        // Work after the crash is what was left: completed runs are not run again.
        const redone = resumed.attemptsBefore.length + resumed.attemptsAfter.length - whole.attempts.length;
        expect({ crashAfter, redone: redone >= 0 && redone <= (g.options?.maxParallel ?? 16) }).toEqual({ crashAfter, redone: true });
        expect(resumed.scheduler.nodeRuns.filter((r) => r.status === 'INCOMPLETE').length).toBe(
          whole.s.nodeRuns.filter((r) => r.status === 'INCOMPLETE').length,
        );
      }
    });
  }

  it('puts runs that were RUNNING back to QUEUED, to run again as the same attempt, and reports them in the step', () => {
    const definition = graph({ x: input('x'), p: 'test.pass', r: out('r') }, ['x.value -> p.value', 'p.value -> r.value']);
    const compiled = compileGraph(definition, blocks);
    const before = new ExecutionScheduler(compiled);
    before.seed({ inputs: { x: 1 } });
    const [p] = before.takeReady().started;
    const { scheduler, step } = ExecutionScheduler.restore(compiled, stored(before.snapshot()));
    expect(step.changed.map((r) => [r.id, r.status])).toEqual([[p!.id, 'QUEUED']]);
    const [again] = scheduler.takeReady().started;
    expect(again!.attempt).toBe(1);
    expect(scheduler.attemptSucceeded(again!.id, [['value', 1]]).execution).toMatchObject({ status: 'COMPLETED', outputs: { r: [1] } });
  });

  it('a streaming run re-run after a crash delivers only the yields above its delivered sequence', () => {
    const definition = graph({ x: input('x'), it: 'test.iterate', p: 'test.pass', r: out('r') }, [
      'x.value -> it.items',
      'it.item -> p.value',
      'p.value -> r.value',
    ]);
    const compiled = compileGraph(definition, blocks);
    const before = new ExecutionScheduler(compiled, { maxParallel: 1 });
    before.seed({ inputs: { x: ['a', 'b', 'c'] } });
    const [it] = before.takeReady().started;
    before.streamYield(it!.id, 1, 'item', 'a');
    before.streamYield(it!.id, 2, 'item', 'b');
    const { scheduler } = ExecutionScheduler.restore(compiled, stored(before.snapshot()), { maxParallel: 1 });
    const [again] = scheduler.takeReady().started;
    expect(again!.node).toBe('it');
    for (const [seq, item] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ] as const)
      scheduler.streamYield(again!.id, seq, 'item', item);
    scheduler.attemptSucceeded(again!.id, []);
    drive(scheduler, blocks);
    expect(scheduler.outputs()).toEqual({ r: ['a', 'b', 'c'] });
    expect(scheduler.nodeRuns.filter((r) => r.node === 'p').length).toBe(3);
  });

  it('completes an execution that went quiet just before the crash, with results rebuilt from output rows', () => {
    const definition = graph({ l: { block: 'test.spread', inputs: { items: [1, 2] } }, r: out('r'), none: out('none') }, ['l.item -> r.value']);
    const compiled = compileGraph(definition, blocks);
    const before = new ExecutionScheduler(compiled);
    drive(before, blocks, { first: before.seed({ inputs: {} }) });
    const rows = { ...stored(before.snapshot()), status: 'RUNNING' as const, error: null };
    const { step } = ExecutionScheduler.restore(compiled, rows);
    expect(step.execution).toEqual({ status: 'COMPLETED', error: null, outputs: { r: [1, 2], none: [] } });
  });

  it('keeps counting node executions across a resume, so the cap still stops a loop', () => {
    const definition = graph({ x: input('x'), a: 'test.pass' }, ['x.value -> a.value', 'a.value -> a.value']);
    const resumed = crashAndResume(definition, { inputs: { x: 1 } }, 10, { maxNodeExecutions: 25 });
    expect(resumed.scheduler.executionError).toMatchObject({ code: 'NODE_LIMIT', node_id: 'a' });
    expect(resumed.scheduler.counts.node_executions).toBe(25);
  });

  it('refuses rows of a node the graph version does not have', () => {
    const compiled = compileGraph(graph({ p: 'test.const' }), blocks);
    const row = {
      id: 'n1',
      seq: 1,
      node: 'ghost',
      block: 'test.pass',
      status: 'COMPLETED' as const,
      inputs: {},
      outputs: {},
      error: null,
      attempt: 1,
      delivered_seq: 0,
      waiting_for: null,
    };
    expect(() => ExecutionScheduler.restore(compiled, { status: 'RUNNING', error: null, runs: [row] })).toThrow(
      /node "ghost", which this graph version does not have/,
    );
  });

  it('leaves a finished execution finished', () => {
    const compiled = compileGraph(graph({ p: 'test.const' }), blocks);
    const before = new ExecutionScheduler(compiled);
    drive(before, blocks, { first: before.seed({ inputs: {} }) });
    const { scheduler, step } = ExecutionScheduler.restore(compiled, stored(before.snapshot()));
    expect(step.changed).toEqual([]);
    expect(step.execution).toBeNull();
    expect(scheduler.executionStatus).toBe('COMPLETED');
  });
});
