// Admission's rules with fakes of its ports (no database, no queue): tenancy, file trust, presets, input and
// credential checks, the credit pre-check, the row each way in writes, and the hand-over after the write.
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import type { CredentialRequest } from '../../blocks/credential-resolver.js';
import { AppError } from '../../common/errors.js';
import type { UserEntity } from '../../users/user.entity.js';
import { graph as agent, testBlock, testLookup } from '../engine/engine.fixtures.js';
import { compileGraph, type CompiledGraph } from '../engine/graph.compiler.js';
import type { ExecutionRow } from '../executions.repository.js';
import type { AdmissionFacts, AdmittedExecution, GraphFacts, PresetFacts } from './admission.types.js';
import { ExecutionAdmission } from './execution-admission.service.js';

const keyed = testBlock({ id: 'test.keyed', inputs: ['value'], outputs: ['value'] });
keyed.credentials = { token: { provider: 'example' } } as unknown as typeof keyed.credentials;
const blocks = testLookup([keyed]);

const HELLO = compileGraph(
  agent(
    {
      who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' } },
      count: { block: 'input', inputs: { name: 'count', type: 'number' } },
      hook: 'test.trigger',
      out: { block: 'output', inputs: { name: 'greeting' } },
    },
    ['who.value -> out.value'],
  ),
  blocks,
);
const KEYED = compileGraph(agent({ call: { block: 'test.keyed', credentials: { token: 'file-token' } } }), blocks);
const LIMITED = compileGraph(agent({ n: { block: 'input', inputs: { name: 'n', default: 1 } } }, [], { concurrency: 1 }), blocks);

const principal = (id: string, role: 'admin' | 'user' = 'user'): Principal =>
  ({ user: { id, handle: id, role } as UserEntity, role, scopes: new Set() }) as Principal;
const ada = principal('ada');
const bob = principal('bob');
const root = principal('root', 'admin');

interface World {
  graphs?: Record<string, GraphFacts>;
  compiled?: Record<string, CompiledGraph>;
  presets?: Record<string, PresetFacts>;
  balances?: Record<string, number>;
  roles?: Record<string, string>;
  credits?: boolean;
  local?: boolean;
  queueDown?: boolean;
}

function fileGraph(id: string, active_version = 2): GraphFacts {
  return { id, source: 'file', created_by: null, owner_id: null, active: true, active_version };
}

function apiGraph(id: string, created_by: string, active = true): GraphFacts {
  return { id, source: 'api', created_by, owner_id: null, active, active_version: 1 };
}

function setup(world: World = {}) {
  const seen = {
    rows: [] as AdmittedExecution[],
    managers: [] as Array<EntityManager | undefined>,
    local: [] as string[],
    dispatched: [] as string[],
    /** Round trips to the queue: a group is dispatched in one. */
    dispatchCalls: 0,
    resolved: [] as CredentialRequest[],
    warned: 0,
  };
  const facts: AdmissionFacts = {
    graph: async (id) => world.graphs?.[id] ?? null,
    runnable: async (id, version) => {
      const graph = world.graphs?.[id];
      if (!graph || (version === null && !graph.active)) return null;
      return { version: version ?? graph.active_version, source: graph.source, created_by: graph.created_by };
    },
    compiled: async (id, version) => world.compiled?.[`${id}@${version}`] ?? null,
    preset: async (id) => world.presets?.[id] ?? null,
    balance: async (userId) => world.balances?.[userId] ?? null,
    role: async (userId) => world.roles?.[userId] ?? null,
  };
  const store = {
    insertOne: async (row: AdmittedExecution, manager?: EntityManager) => {
      seen.rows.push(row);
      seen.managers.push(manager);
      return { ...row, status: 'QUEUED' } as unknown as ExecutionRow;
    },
    insertMany: async (rows: readonly AdmittedExecution[], manager?: EntityManager) => {
      seen.rows.push(...rows);
      seen.managers.push(manager);
    },
  };
  const queue = {
    offerLocal: (id: string) => (world.local ? (seen.local.push(id), true) : false),
    dispatch: async (ids: readonly string[]) => {
      if (world.queueDown) throw new Error('redis is away');
      seen.dispatched.push(...ids);
      seen.dispatchCalls++;
    },
  };
  const resolver = {
    resolve: async (request: CredentialRequest) => {
      seen.resolved.push(request);
      const known = request.names.token === 'mine' || (request.fileTrusted ?? []).includes('token');
      return { credentials: {}, problems: known ? [] : [{ pointer: '/credentials/token', message: `no credential "${request.names.token}"` }] };
    },
  };
  const logger = pino({ level: 'silent' });
  logger.warn = (() => void seen.warned++) as typeof logger.warn;
  const config = { credits: { enabled: world.credits ?? false } } as ConstructorParameters<typeof ExecutionAdmission>[4];
  return { admission: new ExecutionAdmission(facts, store, queue, resolver, config, logger), seen };
}

const hello = { graphs: { hello: fileGraph('hello') }, compiled: { 'hello@2': HELLO, 'hello@1': HELLO } };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('ExecutionAdmission.request (the execute API and re-runs)', () => {
  it('writes a QUEUED row of the active version and hands it to the local worker when it has room', async () => {
    const { admission, seen } = setup({ ...hello, local: true });
    const row = await admission.request(ada, 'hello', undefined, { inputs: { count: 3 } });
    expect(seen.rows).toEqual([
      expect.objectContaining({ id: row.id, graph_id: 'hello', graph_version: 2, source: 'api', user_id: 'ada', inputs: { count: 3 }, trust: 'none' }),
    ]);
    expect(seen.local).toEqual([row.id]);
    expect(seen.dispatched).toEqual([]);
  });

  it("answers 404 for another user's API graph, for a missing one and for an inactive one run without a version", async () => {
    const { admission, seen } = setup({
      graphs: { mine: apiGraph('mine', 'ada'), off: apiGraph('off', 'ada', false) },
      compiled: { 'mine@1': HELLO, 'off@1': HELLO },
    });
    for (const [who, id] of [
      [bob, 'mine'],
      [ada, 'nothing'],
      [ada, 'off'],
    ] as const) {
      expect((await refusal(admission.request(who, id, undefined, { inputs: { count: 1 } }))).code).toBe('NOT_FOUND');
    }
    expect((await admission.request(root, 'mine', undefined, { inputs: { count: 1 } })).user_id).toBe('root');
    expect(seen.rows).toHaveLength(1);
  });

  it('answers 404 naming the version when the version is not stored', async () => {
    const { admission } = setup(hello);
    const error = await refusal(admission.request(root, 'hello', 7, { inputs: { count: 1 } }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('no version 7');
  });

  it("refuses (403) a user's hand-seeded trigger or inactive version of a file agent; an admin's run of the active version is file-trusted", async () => {
    const { admission, seen } = setup(hello);
    const seeded = await refusal(admission.request(ada, 'hello', undefined, { trigger: { node: 'hook', outputs: { body: {} } } }));
    expect([seeded.code, seeded.details?.pointer]).toEqual(['FORBIDDEN', '/trigger']);
    const old = await refusal(admission.request(ada, 'hello', 1, { inputs: { count: 1 } }));
    expect([old.code, old.details?.pointer]).toEqual(['FORBIDDEN', '/version']);
    await admission.request(root, 'hello', undefined, { inputs: { count: 1 } });
    await admission.request(root, 'hello', 1, { inputs: { count: 1 } });
    expect(seen.rows.map((row) => [row.graph_version, row.trust])).toEqual([
      [2, 'admitted'],
      [1, 'none'],
    ]);
  });

  it('a re-run of a file agent keeps the source and the execution it repeats; a seeded trigger stores the event, not inputs', async () => {
    const { admission, seen } = setup(hello);
    await admission.request(root, 'hello', 2, { trigger: { node: 'hook', outputs: { body: { a: 1 } } } }, 'rerun', 'e-1');
    expect(seen.rows[0]).toEqual(
      expect.objectContaining({ source: 'rerun', rerun_of: 'e-1', trigger_node: 'hook', trigger_event: { body: { a: 1 } }, inputs: {}, trust: 'admitted' }),
    );
  });

  it('lists every problem of the request at once (400) and writes nothing', async () => {
    const { admission, seen } = setup(hello);
    const error = await refusal(admission.request(root, 'hello', undefined, { inputs: { who: 5, extra: true } }));
    expect(error.code).toBe('VALIDATION_FAILED');
    const pointers = (error.details?.problems as Array<{ pointer: string }>).map((p) => p.pointer).sort();
    expect(pointers).toEqual(['/inputs/count', '/inputs/extra', '/inputs/who']);
    expect(seen.rows).toEqual([]);
  });

  it("merges the caller's preset under the request; another user's preset is as if it did not exist", async () => {
    const world = { ...hello, presets: { p1: { user_id: 'ada', inputs: { count: 2, who: 'Ada' }, credentials: { out: { token: 'x' } } } } };
    const { admission, seen } = setup(world);
    await admission.request(root, 'hello', undefined, { preset_id: 'p1', inputs: { who: 'Root' } });
    expect(seen.rows[0]).toEqual(expect.objectContaining({ inputs: { count: 2, who: 'Root' }, credentials: { out: { token: 'x' } }, preset_id: 'p1' }));
    const error = await refusal(admission.request(bob, 'hello', undefined, { preset_id: 'p1' }));
    expect(error.details?.problems).toEqual([expect.objectContaining({ pointer: '/preset_id' })]);
  });

  it('resolves credentials as the caller, file-trusting only the names the file gives', async () => {
    const world = { graphs: { keyed: fileGraph('keyed') }, compiled: { 'keyed@2': KEYED } };
    const { admission, seen } = setup(world);
    await admission.request(root, 'keyed', undefined, {});
    expect(seen.resolved[0]).toEqual(expect.objectContaining({ userId: 'root', names: { token: 'file-token' }, fileTrusted: ['token'] }));
    const error = await refusal(admission.request(ada, 'keyed', undefined, {}));
    expect(error.details?.problems).toEqual([expect.objectContaining({ pointer: '/credentials/call/token', node: 'call' })]);
    expect(seen.resolved[1]).toEqual(expect.objectContaining({ userId: 'ada', fileTrusted: [] }));
    await admission.request(ada, 'keyed', undefined, { credentials: { call: { token: 'mine' } } });
    expect(seen.rows.map((row) => row.user_id)).toEqual(['root', 'ada']);
  });

  it('refuses (402) a user whose balance is spent while credits are on; no account or credits off admits', async () => {
    const balances = { ada: 0, bob: 5 };
    const on = setup({ ...hello, credits: true, balances });
    expect((await refusal(on.admission.request(ada, 'hello', undefined, { inputs: { count: 1 } }))).code).toBe('INSUFFICIENT_CREDITS');
    await on.admission.request(bob, 'hello', undefined, { inputs: { count: 1 } });
    await on.admission.request(root, 'hello', undefined, { inputs: { count: 1 } });
    expect(on.seen.rows.map((row) => row.user_id)).toEqual(['bob', 'root']);
    const off = setup({ ...hello, credits: false, balances });
    await off.admission.request(ada, 'hello', undefined, { inputs: { count: 1 } });
    expect(off.seen.rows).toHaveLength(1);
  });

  it('an agent with `concurrency` keeps its FIFO through the queue, never the local worker', async () => {
    const { admission, seen } = setup({ graphs: { limited: fileGraph('limited') }, compiled: { 'limited@2': LIMITED }, local: true });
    const row = await admission.request(ada, 'limited', undefined, {});
    expect(seen.local).toEqual([]);
    expect(seen.dispatched).toEqual([row.id]);
  });

  it('a dispatch that fails after the write still answers the row (the sweep dispatches it), and says so', async () => {
    const { admission, seen } = setup({ ...hello, queueDown: true });
    const row = await admission.request(ada, 'hello', undefined, { inputs: { count: 1 } });
    expect(row.status).toBe('QUEUED');
    expect(seen.warned).toBe(1);
  });
});

describe('ExecutionAdmission: triggers, schedules and children', () => {
  const tx = {} as EntityManager;

  it("writes triggers' executions with their ids in the caller's transaction, as the agent's own trigger", async () => {
    const { admission, seen } = setup();
    const event = { body: { a: 1 } };
    const ids = await admission.triggered(
      [
        { id: 'x1', graph_id: 'hello', graph_version: 2, user_id: 'ada', trigger_node: 'hook', trigger_event: event },
        { id: 'x2', graph_id: 'other', graph_version: 1, user_id: 'bob', trigger_node: 'gh', trigger_event: event },
      ],
      'github',
      tx,
    );
    expect(ids).toEqual(['x1', 'x2']);
    expect(seen.managers).toEqual([tx]);
    expect(seen.rows.map((row) => [row.id, row.source, row.trust, row.trigger_node, row.inputs])).toEqual([
      ['x1', 'github', 'own-trigger', 'hook', {}],
      ['x2', 'github', 'own-trigger', 'gh', {}],
    ]);
    expect(seen.dispatched).toEqual([]);
    await admission.enqueue(ids);
    expect(seen.dispatched).toEqual(['x1', 'x2']);
    expect(seen.dispatchCalls).toBe(1);
  });

  it("hands triggered executions to this process's worker when it has room, except an agent with `concurrency` (the queue keeps its FIFO), the rest in one dispatch", async () => {
    const world = { graphs: { hello: fileGraph('hello'), limited: fileGraph('limited') }, compiled: { 'hello@2': HELLO, 'limited@2': LIMITED } };
    const local = setup({ ...world, local: true });
    await local.admission.handOver([
      { id: 'h1', graph_id: 'hello', graph_version: 2 },
      { id: 'l1', graph_id: 'limited', graph_version: 2 },
    ]);
    expect(local.seen.local).toEqual(['h1']);
    expect(local.seen.dispatched).toEqual(['l1']);
    // No local worker (role api) or no room: every one goes to the queue.
    const remote = setup(world);
    await remote.admission.handOver([
      { id: 'h2', graph_id: 'hello', graph_version: 2 },
      { id: 'h3', graph_id: 'hello', graph_version: 2 },
    ]);
    expect(remote.seen.local).toEqual([]);
    expect(remote.seen.dispatched).toEqual(['h2', 'h3']);
    expect(remote.seen.dispatchCalls).toBe(1);
  });

  it("a trigger.cron fire is the agent's own trigger; an ad-hoc schedule's never is", async () => {
    const { admission, seen } = setup();
    const fire = { schedule_id: 's', graph_id: 'hello', graph_version: 2, user_id: 'ada', inputs: {} };
    await admission.scheduled({ ...fire, id: 'c1', trigger_node: 'cron', trigger_event: { fired_at: 'now' } }, tx);
    await admission.scheduled({ ...fire, id: 'a1', trigger_node: null, trigger_event: null, inputs: { count: 1 } }, tx);
    expect(seen.rows.map((row) => [row.id, row.source, row.schedule_id, row.trust])).toEqual([
      ['c1', 'schedule', 's', 'own-trigger'],
      ['a1', 'schedule', 's', 'none'],
    ]);
  });

  it("checks an ad-hoc schedule's inputs as the execute API does, and answers null for a version that is gone", async () => {
    const { admission, seen } = setup(hello);
    expect(await admission.scheduleProblems('hello', 2, { count: 1 }, 'ada')).toEqual([]);
    expect(await admission.scheduleProblems('hello', 2, { count: 1, nobody: 1 }, 'ada')).toEqual([expect.objectContaining({ pointer: '/inputs/nobody' })]);
    expect(await admission.scheduleProblems('hello', 9, {}, 'ada')).toBeNull();
    expect(seen.rows).toEqual([]);
  });

  it('children are written in the parent step transaction, trusted only as children (settled against their parent)', async () => {
    const { admission, seen } = setup();
    const child = { id: 'k1', graph_id: 'hello', graph_version: 2, user_id: 'ada', parent_id: 'p', parent_node_execution_id: 'n', depth: 2, inputs: {} };
    await admission.children([child], tx);
    expect(seen.rows).toEqual([expect.objectContaining({ ...child, source: 'agent', trust: 'child' })]);
    expect(seen.managers).toEqual([tx]);
  });

  it("starts a child only of a graph the parent's user may see; a missing and a hidden one look alike", async () => {
    const world = {
      graphs: { files: fileGraph('files', 4), mine: apiGraph('mine', 'ada'), off: apiGraph('off', 'ada', false) },
      roles: { ada: 'user', root: 'admin' },
    };
    const { admission } = setup(world);
    expect(await admission.childVersion('files', null, 'bob')).toBe(4);
    expect(await admission.childVersion('mine', null, 'ada')).toBe(1);
    expect(await admission.childVersion('mine', null, 'bob')).toBeNull();
    expect(await admission.childVersion('mine', null, 'root')).toBe(1);
    expect(await admission.childVersion('nothing', null, 'ada')).toBeNull();
    expect(await admission.childVersion('off', null, 'ada')).toBeNull();
    expect(await admission.childVersion('off', 1, 'ada')).toBe(1);
  });
});
