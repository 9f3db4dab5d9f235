// The agent-test runner of `trellis test`: the engine's in-memory runner, with no network, no database,
// no credentials (nodes that need the outside world are mocked by the test) and virtual time. Sub-agents
// run the same way, from the other agents of the folder.
import type { BlockLookup } from '../blocks/block.types.js';
import { ranAndNotRan, runGraphInMemory, type ChildRunRequest, type ChildRunResult, type MemoryRunOptions } from '../executions/memory-run.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { splitAgentScripts, withAgentScripts } from './agent.test-aiagent.js';
import { VirtualClock } from './agent.test-clock.js';
import type { AgentTestRunner } from './agent.tester.js';

/** Real time one test may take (its own time is virtual: see VirtualClock). */
export const TEST_REAL_TIME_LIMIT_MS = 60_000;

export function memoryTestRunner(blocks: BlockLookup, realTimeLimitMs = TEST_REAL_TIME_LIMIT_MS): AgentTestRunner {
  return async (agent, test, agents) => {
    const clock = new VirtualClock();
    const signal = AbortSignal.timeout(realTimeLimitMs);
    const shared = { blocks, timers: clock, runAttempt: withAgentScripts(clock.runAttempt, new Map(), blocks) };
    const runChild = (request: ChildRunRequest): Promise<ChildRunResult> => runChildAgent(request, agents, shared);
    // ai.agent mocks that script the model run the node for real against the script (agent.test-aiagent.ts).
    const { mocks, scripts } = splitAgentScripts(agent, test.mocks);
    const result = await runGraphInMemory(agent, {
      ...shared,
      runAttempt: withAgentScripts(clock.runAttempt, scripts, blocks),
      ...(test.trigger ? { trigger: test.trigger } : { inputs: test.inputs ?? {} }),
      mocks,
      runChild,
      signal,
    });
    if (signal.aborted) throw new Error(`it ran longer than ${realTimeLimitMs / 1000} s of real time and was stopped; mock the node that waits on the outside world`);
    return {
      status: result.status,
      outputs: result.outputs,
      ran: ranAndNotRan(agent, result).ran,
      error: result.error ? { code: result.error.code, message: result.error.message, node_id: result.error.node_id ?? null } : null,
    };
  };
}

type Shared = Pick<MemoryRunOptions, 'blocks' | 'timers' | 'runAttempt'>;

async function runChildAgent(request: ChildRunRequest, agents: ReadonlyMap<string, AgentDefinition>, shared: Shared): Promise<ChildRunResult> {
  const child = agents.get(request.agent);
  if (!child) throw new Error(`agent "${request.agent}" is not among the agents being tested; put its file in the same folder`);
  const result = await runGraphInMemory(child, {
    ...shared,
    inputs: request.inputs,
    depth: request.depth,
    signal: request.signal,
    runChild: (next) => runChildAgent(next, agents, shared),
  });
  return { status: result.status, outputs: result.outputs, error: result.error };
}
