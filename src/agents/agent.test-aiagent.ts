// `trellis test` mocks of ai.agent (release-2.md section 4): instead of its outputs, a test scripts the
// model's turns, `{turns: [{tool_calls: [{name, arguments}]}, ..., {answer}], tools?: {<tool>: result}}`.
// The node then runs for real against the script: each scripted tool call goes through the real loop and
// tool port (a tool named under `tools` answers that result instead; `{error: text}` answers a tool
// error), a tool with require_approval is decided by `approvals: {<tool>: approve | reject}` (a call the
// script does not decide fails the node, saying so), and the node's `steps` output shows which tools were
// called with which arguments.
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { blockToolPort, withAgentTools } from '../blocks/agent-tools.runner.js';
import type { AgentApprovalPort, AgentModelPort, BlockLookup } from '../blocks/block.types.js';
import type { BlockAttemptFn } from '../executions/engine/block-attempt.js';

export const AI_AGENT = 'ai.agent';

export interface ScriptedTurn {
  tool_calls?: { name: string; arguments?: unknown }[];
  answer?: unknown;
}

export interface AgentScript {
  turns: ScriptedTurn[];
  tools: Record<string, unknown>;
  /** Decisions on require_approval tools, by tool name. */
  approvals: Record<string, unknown>;
}

/** Whether a mock of `block` is a model script rather than outputs. */
export function isAgentScript(block: string | undefined, mock: Record<string, unknown>): boolean {
  return block === AI_AGENT && Array.isArray(mock.turns);
}

/** The test's mocks split in two: output mocks for the runner, model scripts by node id. */
export function splitAgentScripts(
  agent: AgentDefinition,
  mocks: Record<string, Record<string, unknown>> | undefined,
): { mocks: Record<string, Record<string, unknown>>; scripts: Map<string, AgentScript> } {
  const outputs: Record<string, Record<string, unknown>> = {};
  const scripts = new Map<string, AgentScript>();
  for (const [node, mock] of Object.entries(mocks ?? {})) {
    if (isAgentScript(agent.nodes[node]?.block, mock)) {
      const tools = mock.tools !== null && typeof mock.tools === 'object' ? (mock.tools as Record<string, unknown>) : {};
      const approvals = mock.approvals !== null && typeof mock.approvals === 'object' ? (mock.approvals as Record<string, unknown>) : {};
      scripts.set(node, { turns: mock.turns as ScriptedTurn[], tools, approvals });
    } else outputs[node] = mock;
  }
  return { mocks: outputs, scripts };
}

/** The attempt function of a test: ai.agent nodes get the tool port, and a scripted model where the test scripts one. */
export function withAgentScripts(base: BlockAttemptFn, scripts: Map<string, AgentScript>, blocks: BlockLookup): BlockAttemptFn {
  const plain = withAgentTools(base, { blocks });
  return (request) => {
    const script = scripts.get(request.context.nodeId);
    if (!script || request.block.id !== AI_AGENT) return plain(request);
    const port = blockToolPort(request.context, { blocks });
    return base({
      ...request,
      context: {
        ...request.context,
        agentTools: {
          ...port,
          model: scriptedModel(request.context.nodeId, script),
          approvals: scriptedApprovals(request.context.nodeId, script),
          run: async (call) => {
            const name = String(call.tool.name);
            if (!Object.hasOwn(script.tools, name)) return port.run(call);
            const mocked = script.tools[name] as { error?: unknown } | null;
            return mocked !== null && typeof mocked === 'object' && typeof mocked.error === 'string' ? { ok: false, error: mocked.error } : { ok: true, result: mocked };
          },
        },
      },
    });
  };
}

/** The script's decisions on require_approval tools; a call it does not decide fails the node, naming the fix. */
function scriptedApprovals(nodeId: string, script: AgentScript): AgentApprovalPort {
  return {
    decisions: async (calls) => {
      const decided = new Map<string, 'approved' | 'rejected'>();
      for (const call of calls) {
        const decision = script.approvals[call.tool];
        if (decision === 'approve' || decision === 'reject') decided.set(call.call_id, decision === 'approve' ? 'approved' : 'rejected');
      }
      return decided;
    },
    wait: (calls) =>
      new Error(
        `tool ${calls.map((c) => c.tool).join(', ')} of "${nodeId}" needs a reviewer's approval: decide it in the mock with approvals: { ${calls[0]!.tool}: approve } (or reject)`,
      ),
  };
}

function scriptedModel(nodeId: string, script: AgentScript): AgentModelPort {
  let next = 0;
  return {
    async turn() {
      const index = next++;
      const turn = script.turns[index];
      if (!turn) {
        throw new Error(`the mock of "${nodeId}" scripts ${script.turns.length} model turns, and the agent asked for turn ${index + 1}: add a turn with answer:`);
      }
      const calls = (turn.tool_calls ?? []).map((call, k) => ({
        id: `call_${index + 1}_${k + 1}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
      }));
      const text = turn.answer === undefined ? '' : typeof turn.answer === 'string' ? turn.answer : JSON.stringify(turn.answer);
      return { text, calls, usage: { input_tokens: 0, output_tokens: 0 } };
    },
  };
}
