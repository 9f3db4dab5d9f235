import { describe, expect, it } from '@jest/globals';
import type { AgentDefinition } from '../../agent-format/graph.types.js';
import { drive, graph, testBlock, testLookup } from './engine.fixtures.js';
import type { NodeRun } from './engine.types.js';
import { compileGraph } from './graph.compiler.js';
import { ReplayBook, rerunSideEffects, reusableNodes, type ReplayEntry } from './replay.js';
import { ExecutionScheduler } from './scheduler.js';

const blocks = testLookup();
const out = (name: string) => ({ block: 'output', inputs: { name } });
const input = (name: string) => ({ block: 'input', inputs: { name } });
const chain = graph({ x: input('x'), a: 'test.pass', b: 'test.pass', r: out('r') }, ['x.value -> a.value', 'a.value -> b.value', 'b.value -> r.value']);
const entry = (node: string, value: unknown, block = 'test.pass'): ReplayEntry => ({ node, block, inputs: { value }, outputs: { value: [value] } });

function scheduler(definition: AgentDefinition, entries: ReplayEntry[], reusable?: Set<string>) {
  return new ExecutionScheduler(compileGraph(definition, blocks), { replay: new ReplayBook(entries, reusable) });
}

const names = (runs: readonly NodeRun[]) => runs.map((r) => `${r.node}${r.reused ? ' (reused)' : ''}:${r.status}`);

describe('retry from the failure in the scheduler', () => {
  it('copies a run it has a record of (no attempt, no slot) and starts only what failed after it', () => {
    const s = scheduler(chain, [entry('a', 1)]);
    s.seed({ inputs: { x: 1 } });
    const step = s.takeReady();
    expect(step.started.map((r) => r.node)).toEqual(['b']);
    expect(names(s.nodeRuns)).toEqual(['x:COMPLETED', 'a (reused):COMPLETED', 'b:RUNNING']);
    expect(s.nodeRuns[1]).toMatchObject({ attempt: 0, outputs: { value: [1] } });
    const done = s.attemptSucceeded(step.started[0]!.id, [['value', 1]]);
    expect(done.execution).toMatchObject({ status: 'COMPLETED', outputs: { r: [1] } });
  });

  it('runs a node again when its inputs differ from the record, and completes when everything is reused', () => {
    const other = scheduler(chain, [entry('a', 2)]);
    other.seed({ inputs: { x: 1 } });
    expect(other.takeReady().started.map((r) => r.node)).toEqual(['a']);
    const all = scheduler(chain, [entry('a', 1), entry('b', 1)]);
    all.seed({ inputs: { x: 1 } });
    const step = all.takeReady();
    expect(step.started).toEqual([]);
    expect(step.execution).toMatchObject({ status: 'COMPLETED', outputs: { r: [1] } });
  });

  it('uses each record once, in recorded order, for a fan-out with repeated inputs', () => {
    const fan = graph({ l: { block: 'test.spread', inputs: { items: [7, 7, 7] } }, p: 'test.pass' }, ['l.item -> p.value']);
    const s = scheduler(fan, [{ node: 'l', block: 'test.spread', inputs: { items: [7, 7, 7] }, outputs: { item: [7, 7, 7] } }, entry('p', 7), entry('p', 7)]);
    s.seed({ inputs: {} });
    expect(s.takeReady().started.map((r) => r.node)).toEqual(['p']);
    expect(s.nodeRuns.filter((r) => r.reused).map((r) => r.node)).toEqual(['l', 'p', 'p']);
  });

  it('after a restore, does not offer again a record that a recorded copy already used', () => {
    const fan = compileGraph(graph({ l: { block: 'test.spread', inputs: { items: [7, 7, 7] } }, p: 'test.pass' }, ['l.item -> p.value']), blocks);
    const entries = [entry('p', 7)];
    const first = new ExecutionScheduler(fan, { maxParallel: 1, replay: new ReplayBook(entries) });
    first.seed({ inputs: {} });
    first.attemptSucceeded(first.takeReady().started[0]!.id, [
      ['item', 7],
      ['item', 7],
      ['item', 7],
    ]);
    first.takeReady();
    expect(names(first.nodeRuns)).toEqual(['l:COMPLETED', 'p (reused):COMPLETED', 'p:RUNNING', 'p:QUEUED']);
    const snapshot = structuredClone(first.snapshot());
    const { scheduler } = ExecutionScheduler.restore(fan, snapshot, { maxParallel: 2, replay: new ReplayBook(entries) });
    expect(scheduler.takeReady().started.map((r) => r.seq)).toEqual([3, 4]);
    expect(scheduler.nodeRuns.filter((r) => r.reused)).toHaveLength(1);
  });

  it('never reuses reviews or event waits, and only the nodes it is told may be', () => {
    expect(new ReplayBook([entry('ok', 1, 'human.review'), entry('ev', 1, 'wait.event')]).take('ok', { value: 1 })).toBeNull();
    const book = new ReplayBook([entry('a', 1), entry('b', 1)], new Set(['a']));
    expect(book.take('b', { value: 1 })).toBeNull();
    expect(book.take('a', { value: 1 })).toEqual([['value', 1]]);
    expect(book.take('a', { value: 1 })).toBeNull();
  });
});

describe('a streaming node the retried execution left unfinished', () => {
  // A feed: what it yields depends on when it runs (the retry's attempt sees 7, 8, 9 where the original saw 1, 2, ...).
  const feed = testBlock({
    id: 'test.feed',
    inputs: ['source'],
    outputs: ['count', 'item', 'key'],
    streaming: true,
    compute: () => [
      ['count', 3],
      ['item', 7],
      ['key', 0],
      ['item', 8],
      ['key', 1],
      ['item', 9],
      ['key', 2],
    ],
  });
  const feedBlocks = testLookup([feed]);
  const fan = compileGraph(
    graph({ l: { block: 'test.feed', inputs: { source: 'news' } }, p: 'test.pass', r: out('r') }, ['l.item -> p.value', 'p.value -> r.value']),
    feedBlocks,
  );
  // The original delivered count, 1 and 2 (5 yields) and p ran for 1 and 2, then the stream failed.
  const stream: ReplayEntry = {
    node: 'l',
    block: 'test.feed',
    inputs: { source: 'news' },
    outputs: { count: [3], item: [1, 2], key: [0, 1] },
    delivered_seq: 5,
  };
  const run = (entries: ReplayEntry[]) => {
    const s = new ExecutionScheduler(fan, { replay: new ReplayBook(entries) });
    s.seed({ inputs: {} });
    return { s, attempts: drive(s, feedBlocks).attempts, results: () => s.nodeRuns.filter((r) => r.node === 'r').map((r) => r.inputs.value) };
  };

  it('delivers what it had delivered again, reuses the work done for it, and resumes the block after that sequence number', () => {
    const { s, attempts, results } = run([stream, entry('p', 1), entry('p', 2)]);
    // The block runs again, its yields 1..5 skipped: only the work for its 6th and 7th yields runs.
    expect(attempts).toEqual(['l', 'p']);
    expect(s.executionStatus).toBe('COMPLETED');
    expect(names(s.nodeRuns)).toEqual([
      'l:COMPLETED',
      'p (reused):COMPLETED',
      'p (reused):COMPLETED',
      'r:COMPLETED',
      'r:COMPLETED',
      'p:COMPLETED',
      'r:COMPLETED',
    ]);
    expect(s.nodeRuns[0]).toMatchObject({ attempt: 1, delivered_seq: 7, outputs: { count: [3], item: [1, 2, 9], key: [0, 1, 2] } });
    expect(results()).toEqual([1, 2, 9]);
  });

  it('records what a failed stream delivered beside its error (what a retry delivers again), and never replays the error', () => {
    const handled = compileGraph(
      graph({ l: { block: 'test.feed', inputs: { source: 'news' } }, p: 'test.pass', h: 'test.pass' }, ['l.item -> p.value', 'l.error -> h.value']),
      feedBlocks,
    );
    const s = new ExecutionScheduler(handled, {});
    s.seed({ inputs: {} });
    const l = s.takeReady().started[0]!;
    s.streamYield(l.id, 1, 'count', 3);
    s.streamYield(l.id, 2, 'item', 7);
    s.attemptFailed(l.id, { code: 'VALUE_TOO_LARGE', message: 'too large' });
    expect(s.nodeRuns[0]).toMatchObject({ status: 'FAILED', delivered_seq: 2, outputs: { count: [3], item: [7], error: [{ code: 'VALUE_TOO_LARGE' }] } });
    const book = new ReplayBook([{ ...stream, outputs: s.nodeRuns[0]!.outputs, delivered_seq: 2 }]);
    expect(book.takeStream('l', stream.inputs)).toEqual({
      yields: [
        ['count', 3],
        ['item', 7],
      ],
      delivered_seq: 2,
    });
  });

  it('runs whole when its inputs differ, and a recorded stream is used once', () => {
    const { attempts, results } = run([{ ...stream, inputs: { source: 'other' } }, entry('p', 1)]);
    expect(attempts).toEqual(['l', 'p', 'p', 'p']);
    expect(results()).toEqual([7, 8, 9]);
    const book = new ReplayBook([stream]);
    expect(book.take('l', stream.inputs)).toBeNull();
    expect(book.takeStream('l', stream.inputs)).toEqual({
      yields: [
        ['count', 3],
        ['item', 1],
        ['item', 2],
        ['key', 0],
        ['key', 1],
      ],
      delivered_seq: 5,
    });
    expect(book.takeStream('l', stream.inputs)).toBeNull();
  });
});

describe('failed children (agent.run)', () => {
  const failed = (node: string, text: string, id: string) => ({ node, inputs: { agent: 'kid', inputs: { text } }, execution_id: id, graph_version: 3 });

  it('answers the failed child of a run with the same inputs, once each, at its version', () => {
    const book = new ReplayBook([], undefined, [failed('run', 'a', 'c1'), failed('run', 'b', 'c2')]);
    const b = { agent: 'kid', inputs: { text: 'b' } };
    expect(book.childVersion('run', b)).toBe(3);
    expect(book.takeChild('run', b)).toBe('c2');
    expect(book.takeChild('run', b)).toBeNull();
    expect(book.childVersion('run', b)).toBeNull();
    expect(book.takeChild('other', { agent: 'kid', inputs: { text: 'a' } })).toBeNull();
    expect(book.takeChild('run', { inputs: { text: 'a' }, agent: 'kid' })).toBe('c1');
  });

  it('with another version, only for reusable nodes, and at the version the retry resolves', () => {
    const book = new ReplayBook([], new Set(['run']), [failed('run', 'a', 'c1'), failed('changed', 'a', 'c2')]);
    expect(book.takeChild('changed', { agent: 'kid', inputs: { text: 'a' } })).toBeNull();
    expect(book.childVersion('run', { agent: 'kid', inputs: { text: 'a' } })).toBeNull();
    expect(book.takeChild('run', { agent: 'kid', inputs: { text: 'a' } })).toBe('c1');
  });
});

describe('reusableNodes (version: latest)', () => {
  it('keeps nodes that are identical with everything upstream identical', () => {
    const changedB = graph({ x: input('x'), a: 'test.pass', b: { block: 'test.pass', inputs: { extra: 1 } }, r: out('r') }, [
      'x.value -> a.value',
      'a.value -> b.value',
      'b.value -> r.value',
    ]);
    expect([...reusableNodes(chain, changedB)].sort()).toEqual(['a', 'x']);
    const relinked = graph({ x: input('x'), a: 'test.pass', b: 'test.pass', r: out('r') }, ['x.value -> b.value', 'b.value -> a.value', 'a.value -> r.value']);
    expect([...reusableNodes(chain, relinked)].sort()).toEqual(['x']);
    expect([...reusableNodes(chain, chain)].sort()).toEqual(['a', 'b', 'r', 'x']);
  });
});

describe('rerunSideEffects', () => {
  const attempt = (ended: boolean, code?: string) => ({ ended_at: ended ? '2026-12-07T00:00:00.000Z' : null, error: code ? { code } : null });
  const run = (id: string, block: string, status: string, attempts: ReturnType<typeof attempt>[]) => ({ id, node_id: id, block, status, attempts });
  const effects = (_node: string, block: string) => block === 'http.request';

  it('names only runs of blocks with outside effects stopped mid-attempt', () => {
    const runs = [
      run('open', 'http.request', 'CANCELLED', [attempt(false)]),
      run('aborted', 'http.request', 'CANCELLED', [attempt(true, 'TIMEOUT'), attempt(true, 'CANCELLED')]),
      run('running', 'http.request', 'RUNNING', [attempt(false)]),
      run('pure', 'code.js', 'CANCELLED', [attempt(false)]),
      run('queued', 'http.request', 'CANCELLED', []),
      run('backoff', 'http.request', 'CANCELLED', [attempt(true, 'HTTP_STATUS')]),
      run('failed', 'http.request', 'FAILED', [attempt(true, 'HTTP_STATUS')]),
      run('done', 'http.request', 'COMPLETED', [attempt(true)]),
    ];
    expect(rerunSideEffects(runs, effects)).toEqual([
      { node_id: 'open', block: 'http.request', node_execution_id: 'open' },
      { node_id: 'aborted', block: 'http.request', node_execution_id: 'aborted' },
      { node_id: 'running', block: 'http.request', node_execution_id: 'running' },
    ]);
  });
});
