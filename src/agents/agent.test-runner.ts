// The agent-test runner of `trellis test`: the engine's in-memory runner, with no network, no database,
// no credentials (nodes that need the outside world are mocked by the test) and virtual time. Sub-agents
// run the same way, from the other agents of the folder.
import type { BlockLookup } from '../blocks/block.types.js';
import { agentChildRunner, ranAndNotRan, runGraphInMemory } from '../executions/memory-run.js';
import { splitAgentScripts, withAgentScripts } from './agent.test-aiagent.js';
import { VirtualClock } from './agent.test-clock.js';
import { scriptedOutside } from './agent.test-waits.js';
import type { AgentTestRunner } from './agent.tester.js';

/** Real time one test may take (its own time is virtual: see VirtualClock). */
export const TEST_REAL_TIME_LIMIT_MS = 60_000;

export function memoryTestRunner(blocks: BlockLookup, realTimeLimitMs = TEST_REAL_TIME_LIMIT_MS): AgentTestRunner {
  return async (agent, test, agents) => {
    const clock = new VirtualClock();
    const signal = AbortSignal.timeout(realTimeLimitMs);
    const shared = { blocks, timers: clock, runAttempt: withAgentScripts(clock.runAttempt, new Map(), blocks) };
    const runChild = agentChildRunner(agents, shared, (name) => `agent "${name}" is not among the agents being tested; put its file in the same folder`);
    // ai.agent mocks that script the model run the node for real against the script (agent.test-aiagent.ts).
    const { mocks, scripts } = splitAgentScripts(agent, test.mocks);
    const result = await runGraphInMemory(agent, {
      ...shared,
      runAttempt: withAgentScripts(clock.runAttempt, scripts, blocks),
      ...(test.trigger ? { trigger: test.trigger } : { inputs: test.inputs ?? {} }),
      mocks,
      outside: scriptedOutside(test, () => clock.now()),
      runChild,
      signal,
    });
    if (signal.aborted)
      throw new Error(`it ran longer than ${realTimeLimitMs / 1000} s of real time and was stopped; mock the node that waits on the outside world`);
    return {
      status: result.status,
      outputs: result.outputs,
      ran: ranAndNotRan(agent, result).ran,
      error: result.error ? { code: result.error.code, message: result.error.message, node_id: result.error.node_id ?? null } : null,
    };
  };
}
