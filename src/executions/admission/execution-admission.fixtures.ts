// Admission with fakes of its ports (no database, no queue), shared by execution-admission.service.spec.ts and
// execution-admission.triggers.spec.ts: compiled graphs, principals, and `setup`, which answers an admission over a
// world of graphs, presets and balances and what it wrote, handed over and resolved.
import { pino } from 'pino';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal.js';
import type { CredentialRequest } from '../../blocks/credential-resolver.js';
import type { UserEntity } from '../../users/user.entity.js';
import { graph as agent, testBlock, testLookup } from '../engine/engine.fixtures.js';
import { compileGraph, type CompiledGraph } from '../engine/graph.compiler.js';
import type { ExecutionRow } from '../executions.repository.js';
import type { AdmissionFacts, AdmittedExecution, ClaimFacts, GraphFacts, PresetFacts } from './admission.types.js';
import { ExecutionAdmission } from './execution-admission.service.js';

const keyed = testBlock({ id: 'test.keyed', inputs: ['value'], outputs: ['value'] });
keyed.credentials = { token: { provider: 'example' } } as unknown as typeof keyed.credentials;
const blocks = testLookup([keyed]);

export const HELLO = compileGraph(
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
export const KEYED = compileGraph(agent({ call: { block: 'test.keyed', credentials: { token: 'file-token' } } }), blocks);
export const LIMITED = compileGraph(agent({ n: { block: 'input', inputs: { name: 'n', default: 1 } } }, [], { concurrency: 1 }), blocks);

const principal = (id: string, role: 'admin' | 'user' = 'user'): Principal =>
  ({ user: { id, handle: id, role } as UserEntity, role, scopes: new Set() }) as Principal;
export const ada = principal('ada');
export const bob = principal('bob');
export const root = principal('root', 'admin');

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

export function fileGraph(id: string, active_version = 2): GraphFacts {
  return { id, source: 'file', created_by: null, owner_id: null, active: true, active_version };
}

export function apiGraph(id: string, created_by: string, active = true): GraphFacts {
  return { id, source: 'api', created_by, owner_id: null, active, active_version: 1 };
}

export function setup(world: World = {}) {
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
      return { ...row, status: 'QUEUED' } as unknown as ExecutionRow & ClaimFacts;
    },
    insertMany: async (rows: readonly AdmittedExecution[], manager?: EntityManager) => {
      seen.rows.push(...rows);
      seen.managers.push(manager);
      return [];
    },
  };
  const queue = {
    offerLocal: (id: string) => (world.local ? (seen.local.push(id), true) : false),
    claimLocal: () => null,
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

export const hello = { graphs: { hello: fileGraph('hello') }, compiled: { 'hello@2': HELLO, 'hello@1': HELLO } };
