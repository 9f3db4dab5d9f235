// Agent tools of ai.agent in a durable execution (release-2.md section 4): each call is a child execution
// of the tool's agent. The tool port's children (blocks/agent-tools.runner.ts) look up the agents the
// execution's user may run (refused before the model sees any tool otherwise), read the children that
// finished, and note which calls ask for one; the attempt then ends, and the children are written with the
// node's WAITING row (reason `tool`), their ids derived from the node execution and the call, so the loop
// finds them again when the node runs once every child finished.
import { createHash } from 'node:crypto';
import type { AgentChildPort, ToolChildRequest, ToolChildResult } from '../../blocks/block.types.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import type { ChildRow } from './child-watch.js';

export interface ToolChildrenDeps {
  /** The agent's active version, or null when it does not exist or `userId` may not start it (graph-access.ts). */
  childVersion(graphId: string, version: number | null, userId: string): Promise<number | null>;
  /** The `input` names of a graph version. */
  inputsOf(graphId: string, version: number): Promise<string[]>;
  childResults(ids: string[]): Promise<ChildRow[]>;
}

/** One per worker: the calls each node execution's attempt asked children for, until NodeAttempts takes them. */
export class ToolChildren {
  private readonly asked = new Map<string, ToolChildRequest[]>();

  constructor(private readonly deps: ToolChildrenDeps) {}

  portFor(nodeExecutionId: string, userId: string): AgentChildPort {
    const deps = this.deps;
    return {
      agentInputs: async (name) => {
        const version = await deps.childVersion(name, null, userId);
        return version === null ? undefined : deps.inputsOf(name, version);
      },
      results: async (calls) => {
        const ids = new Map(calls.map((call) => [childIdOf(nodeExecutionId, call.call_id), call]));
        const results = new Map<string, ToolChildResult>();
        for (const row of await deps.childResults([...ids.keys()])) {
          const call = ids.get(row.id);
          if (call && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status)) results.set(call.call_id, resultOf(call.agent, row));
        }
        return results;
      },
      start: (calls) => {
        this.asked.set(nodeExecutionId, calls);
        return new Error(`waits for the agents ${calls.map((c) => c.agent).join(', ')} its tools called`);
      },
    };
  }

  /** The children the run's attempt asked for (taken once; undefined: none). */
  take(runId: string): ToolChildRequest[] | undefined {
    const calls = this.asked.get(runId);
    this.asked.delete(runId);
    return calls;
  }
}

/** The child execution's id of a call: the same for the same node execution and call, in any process. */
export function childIdOf(nodeExecutionId: string, callId: string): string {
  const h = createHash('sha256').update(`${nodeExecutionId}\0${callId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function resultOf(agent: string, row: ChildRow): ToolChildResult {
  if (row.status === 'COMPLETED') return { ok: true, outputs: row.outputs ?? {} };
  const why = row.error ? `${row.error.code}: ${row.error.message}` : 'no error given';
  return { ok: false, error: `the agent "${agent}" ended ${row.status}: ${why}` };
}

/** The names of a graph's `input` nodes (the parameters the model sees for an agent tool). */
export function inputNames(graph: CompiledGraph): string[] {
  return Object.entries(graph.definition.nodes)
    .filter(([, node]) => node.block === 'input')
    .map(([id, node]) => (typeof node.inputs.name === 'string' ? node.inputs.name : id));
}
