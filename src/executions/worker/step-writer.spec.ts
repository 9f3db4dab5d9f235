// The step writer with a fake store: steps of many executions go out as one write, and children are
// admitted in the same transaction, only for parents whose step was written (their lease held).
import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import type { NewChildExecution } from '../admission/admission.types.js';
import type { ExecutionWrite, WrittenExecution } from './execution-store.repository.js';
import { StepWriter, type StepStore } from './step-writer.js';

const TX = { transaction: true } as unknown as EntityManager;

function write(id: string, children: string[] = []): ExecutionWrite {
  return {
    id,
    runs: [],
    status: null,
    error: null,
    outputs: null,
    cost: 0,
    node_execution_count: 0,
    release: false,
    children: children.map((child): NewChildExecution => ({
      id: child,
      graph_id: 'g',
      graph_version: 1,
      user_id: 'u',
      parent_id: id,
      parent_node_execution_id: `${id}-node`,
      depth: 1,
      inputs: {},
    })),
  };
}

function setup(held: string[]) {
  const seen = { writes: [] as Array<{ ids: string[]; manager: EntityManager | undefined }>, admitted: [] as Array<{ ids: string[]; manager: EntityManager }> };
  const store: StepStore = {
    write: async (_owner, writes, manager) => {
      seen.writes.push({ ids: writes.map((w) => w.id), manager });
      return writes.filter((w) => held.includes(w.id)).map((w) => ({ id: w.id, status: 'RUNNING' }) as WrittenExecution);
    },
    transaction: async (work) => work(TX) as never,
  };
  const writer = new StepWriter(store, 'owner', async (children, manager) => void seen.admitted.push({ ids: children.map((c) => c.id), manager }));
  return { writer, seen };
}

describe('StepWriter', () => {
  it('writes the steps posted in one turn as one statement, outside a transaction when no step starts a child', async () => {
    const { writer, seen } = setup(['a', 'b']);
    const [a, b, c] = await Promise.all([writer.write(write('a')), writer.write(write('b')), writer.write(write('c'))]);
    expect(seen.writes).toEqual([{ ids: ['a', 'b', 'c'], manager: undefined }]);
    expect([a?.id, b?.id, c]).toEqual(['a', 'b', null]);
    expect(seen.admitted).toEqual([]);
  });

  it("admits children in the step's transaction, only those of parents whose step was written", async () => {
    const { writer, seen } = setup(['a']);
    const [a, lost] = await Promise.all([writer.write(write('a', ['a1', 'a2'])), writer.write(write('lost', ['l1']))]);
    expect(seen.writes).toEqual([{ ids: ['a', 'lost'], manager: TX }]);
    expect(seen.admitted).toEqual([{ ids: ['a1', 'a2'], manager: TX }]);
    expect([a?.id, lost]).toEqual(['a', null]);
  });
});
