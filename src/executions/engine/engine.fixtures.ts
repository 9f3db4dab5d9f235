// Small blocks and a graph builder for the engine's own tests (and benches): real BlockDefinitions whose
// behaviour is a pure `compute`, so a test can drive the scheduler synchronously or run them for real.
import type { BlockDefinition, BlockLookup, BlockYield, PinMode } from '../../blocks/block.types.js';
import type { AgentDefinition, LinkDefinition, NodeDefinition } from '../../agent-format/graph.types.js';
import { markTransient } from '../../common/errors.js';
import { toNodeError } from './engine.errors.js';
import { NodeRunStatus, isFinalRunStatus, type Step } from './engine.types.js';
import type { ExecutionScheduler } from './scheduler.js';
import type { Timers } from './timers.js';

export interface TestBlock extends BlockDefinition {
  /** What one attempt yields for these inputs; throws to fail. */
  compute(inputs: Record<string, unknown>, attempt: number): BlockYield[];
}

interface TestBlockSpec {
  id: string;
  inputs: string[];
  required?: string[];
  outputs: string[];
  pinModes?: Record<string, PinMode>;
  streaming?: boolean;
  trigger?: boolean;
  suspend?: BlockDefinition['suspend'];
  gatherCount?: string;
  compute?: (inputs: Record<string, unknown>, attempt: number) => BlockYield[];
}

export function testBlock(spec: TestBlockSpec): TestBlock {
  const compute = spec.compute ?? (() => []);
  return {
    id: spec.id,
    description: `test block ${spec.id}`,
    category: 'data',
    inputSchema: { type: 'object', properties: Object.fromEntries(spec.inputs.map((p) => [p, {}])), required: spec.required ?? [] },
    outputSchema: { type: 'object', properties: Object.fromEntries(spec.outputs.map((p) => [p, {}])) },
    cost: 0,
    ...(spec.pinModes ? { pinModes: spec.pinModes } : {}),
    ...(spec.streaming ? { streaming: true } : {}),
    ...(spec.trigger ? { trigger: true } : {}),
    ...(spec.suspend ? { suspend: spec.suspend } : {}),
    ...(spec.gatherCount ? { gatherCount: spec.gatherCount } : {}),
    compute,
    async *run(inputs, context) {
      for (const item of compute(inputs, context.attempt)) yield item;
    },
  };
}

/** The catalogue the engine tests use: io, a trigger, and small pure blocks. */
export const TEST_BLOCKS: readonly TestBlock[] = [
  testBlock({
    id: 'input',
    inputs: ['name', 'type', 'default', 'description'],
    required: ['name'],
    outputs: ['value'],
    compute: (i) => [['value', i.default]],
  }),
  testBlock({ id: 'output', inputs: ['name', 'value'], required: ['name', 'value'], outputs: [] }),
  testBlock({ id: 'test.trigger', inputs: ['events'], outputs: ['body', 'headers'], trigger: true }),
  /** value -> value, unchanged. */
  testBlock({ id: 'test.pass', inputs: ['value'], required: ['value'], outputs: ['value'], compute: (i) => [['value', i.value]] }),
  /** a + b -> sum. */
  testBlock({ id: 'test.add', inputs: ['a', 'b'], required: ['a', 'b'], outputs: ['sum'], compute: (i) => [['sum', (i.a as number) + (i.b as number)]] }),
  /** No inputs: yields `now` = 42. */
  testBlock({ id: 'test.const', inputs: [], outputs: ['now'], compute: () => [['now', 42]] }),
  /** Streaming list.iterate: count first, then item and key per element. */
  testBlock({
    id: 'test.iterate',
    inputs: ['items'],
    required: ['items'],
    outputs: ['count', 'item', 'key'],
    streaming: true,
    compute: (i) => {
      const items = i.items as unknown[];
      return [
        ['count', items.length],
        ...items.flatMap((item, key): BlockYield[] => [
          ['item', item],
          ['key', key],
        ]),
      ];
    },
  }),
  /** list.collect: item gathered, count sticky; yields items and whether count was reached. */
  testBlock({
    id: 'test.collect',
    inputs: ['item', 'count'],
    required: ['item'],
    outputs: ['items', 'complete'],
    pinModes: { item: 'gather', count: 'sticky' },
    gatherCount: 'count',
    compute: (i) => {
      const items = i.item as unknown[];
      return [
        ['items', items],
        ['complete', typeof i.count === 'number' && items.length >= i.count],
      ];
    },
  }),
  /** value.store: yields `data` each time `input` arrives. */
  testBlock({
    id: 'test.store',
    inputs: ['input', 'data'],
    required: ['input', 'data'],
    outputs: ['output'],
    pinModes: { data: 'sticky' },
    compute: (i) => [['output', i.data]],
  }),
  /** A dict-typed pin: yields `values` rendered as `k=v` pairs in key order. */
  testBlock({
    id: 'test.format',
    inputs: ['values'],
    required: ['values'],
    outputs: ['text'],
    compute: (i) => [
      [
        'text',
        Object.entries(i.values as Record<string, unknown>)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(','),
      ],
    ],
  }),
  /** Fails with `message` on attempts up to `fail_until` (default: always); transient unless `permanent: true`. */
  testBlock({
    id: 'test.flaky',
    inputs: ['value', 'message', 'fail_until', 'permanent'],
    outputs: ['value'],
    compute: (i, attempt) => {
      const failUntil = typeof i.fail_until === 'number' ? i.fail_until : Number.POSITIVE_INFINITY;
      const failure = new Error(typeof i.message === 'string' ? i.message : `failed on attempt ${attempt}`);
      if (attempt <= failUntil) throw i.permanent === true ? failure : markTransient(failure);
      return [['value', i.value ?? attempt]];
    },
  }),
  /** Counts down: yields `next` = n - 1 while n > 0, else `done` = n. */
  testBlock({
    id: 'test.countdown',
    inputs: ['n'],
    required: ['n'],
    outputs: ['next', 'done'],
    compute: (i) => ((i.n as number) > 0 ? [['next', (i.n as number) - 1]] : [['done', i.n]]),
  }),
  /** Splits a value into `yes` (truthy) or `no`. */
  testBlock({ id: 'test.branch', inputs: ['value'], required: ['value'], outputs: ['yes', 'no'], compute: (i) => [[i.value ? 'yes' : 'no', i.value]] }),
  /** Yields each element of `items` on `item`, not streaming (fan-out from one attempt). */
  testBlock({
    id: 'test.spread',
    inputs: ['items'],
    required: ['items'],
    outputs: ['item'],
    compute: (i) => (i.items as unknown[]).map((item): BlockYield => ['item', item]),
  }),
  testBlock({
    id: 'test.delay',
    inputs: ['duration', 'value'],
    required: ['duration'],
    outputs: ['value'],
    suspend: 'delay',
    compute: (i) => [['value', i.value]],
  }),
  testBlock({ id: 'agent.run', inputs: ['agent', 'version', 'inputs'], required: ['agent'], outputs: ['outputs'], suspend: 'child_execution' }),
];

export function testLookup(extra: readonly BlockDefinition[] = []): BlockLookup {
  const byId = new Map<string, BlockDefinition>([...TEST_BLOCKS, ...extra].map((b) => [b.id, b]));
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}

type NodeShorthand = string | (Partial<NodeDefinition> & { block: string });

/**
 * `graph({a: 'test.pass', out: {block: 'output', inputs: {name: 'r'}}}, ['a.value -> out.value'])`.
 * Links: `"a.out.k1 -> b.in.key"`, or `{from: 'a.out', to: 'b.in', static: true}`.
 */
export function graph(
  nodes: Record<string, NodeShorthand>,
  links: Array<string | { from: string; to: string; static?: boolean }> = [],
  extra: Partial<AgentDefinition> = {},
): AgentDefinition {
  return {
    name: 'test-agent',
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([id, n]) => {
        const node = typeof n === 'string' ? { block: n } : n;
        return [id, { inputs: {}, credentials: {}, ...node } satisfies NodeDefinition];
      }),
    ),
    links: links.map(parseLink),
    ...extra,
  };
}

function parseLink(link: string | { from: string; to: string; static?: boolean }): LinkDefinition {
  const [from, to] = typeof link === 'string' ? link.split('->').map((s) => s.trim()) : [link.from, link.to];
  const [fromNode, fromPin, ...path] = from!.split('.');
  const [toNode, toPin, key] = to!.split('.');
  return {
    from: { node: fromNode!, pin: fromPin!, path },
    to: { node: toNode!, pin: toPin!, ...(key ? { key } : {}) },
    static: typeof link === 'string' ? false : link.static === true,
  };
}

export interface DriveResult {
  /** Node ids in the order their attempts started. */
  attempts: string[];
  steps: Step[];
}

/**
 * Plays a shell synchronously: starts ready runs, runs each TestBlock's `compute` (streaming blocks
 * through streamYield), reports success or failure, and lets retry backoffs pass at once. Stops when the
 * execution finishes, nothing is left to do, or after `maxAttempts` attempts (to simulate a crash).
 */
export function drive(scheduler: ExecutionScheduler, blocks: BlockLookup, options: { maxAttempts?: number; first?: Step } = {}): DriveResult {
  const result: DriveResult = { attempts: [], steps: [] };
  const retries: string[] = [];
  const note = (step: Step) => {
    result.steps.push(step);
    for (const retry of step.retries) retries.push(retry.run.id);
  };
  if (options.first) note(options.first);
  for (;;) {
    if (isFinalRunStatus(scheduler.executionStatus)) return result;
    const step = scheduler.takeReady();
    note(step);
    if (step.started.length === 0) {
      const due = retries.shift();
      if (due === undefined) return result;
      note(scheduler.retryDue(due));
      continue;
    }
    for (const run of step.started) {
      if (options.maxAttempts !== undefined && result.attempts.length >= options.maxAttempts) return result;
      if (run.status !== NodeRunStatus.RUNNING) continue;
      result.attempts.push(run.node);
      const block = blocks.get(run.block) as TestBlock;
      let yields: BlockYield[];
      try {
        yields = block.compute(run.inputs, run.attempt);
      } catch (error) {
        note(scheduler.attemptFailed(run.id, toNodeError(error)));
        continue;
      }
      if (block.streaming) {
        yields.forEach(([pin, value], i) => note(scheduler.streamYield(run.id, i + 1, pin, value)));
        note(scheduler.attemptSucceeded(run.id, []));
      } else {
        note(scheduler.attemptSucceeded(run.id, yields));
      }
    }
  }
}

/**
 * Timers for runner tests: `now` ticks 1 ms per call; a sleep whose duration is listed in `instant`
 * resolves at once (and is recorded); any other sleep lasts until `fire(ms)` ends it or its signal aborts.
 */
export function fakeTimers(instant: readonly number[] = []): Timers & { sleeps: number[]; fire(ms: number): number } {
  let clock = Date.UTC(2030, 0, 1);
  const sleeps: number[] = [];
  const pending: Array<{ ms: number; resolve: () => void }> = [];
  return {
    sleeps,
    now: () => clock++,
    sleep(ms, signal) {
      if (instant.includes(ms)) {
        sleeps.push(ms);
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const entry = { ms, resolve };
        pending.push(entry);
        signal.addEventListener(
          'abort',
          () => {
            pending.splice(pending.indexOf(entry), 1);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    fire(ms) {
      const due = pending.filter((p) => p.ms === ms);
      for (const entry of due) {
        pending.splice(pending.indexOf(entry), 1);
        sleeps.push(ms);
        entry.resolve();
      }
      return due.length;
    },
  };
}
