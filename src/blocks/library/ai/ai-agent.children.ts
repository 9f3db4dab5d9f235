// Agent tools of ai.agent (release-2.md section 4): a call of a tool with `agent:` is a child execution of
// that agent, with the model's arguments (plus the entry's constants) as its inputs. Before a batch of tool
// calls runs, the children of its agent calls must have finished: those not started yet are started through
// the port (the node then waits, reason `tool`, without a slot, and runs again from its stored conversation
// once every child finished); the finished ones answer with their outputs, or their error.
import type { AgentToolPort, ToolChildRequest, ToolChildResult } from '../../block.types.js';
import { approvalKey, objectArguments, type ApprovalVerdict } from './ai-agent.approvals.js';
import type { ToolEntry } from './ai-agent.tools.js';
import type { AgentToolCallText } from './ai-agent.wire.js';

/**
 * The results of the agent calls among `calls` (model call number `step`) that may run (not rejected by a
 * reviewer), by call id. When some children have not finished, `beforeWait` runs (the conversation is
 * stored) and the port's start error is thrown for those not started yet.
 */
export async function childResults(
  calls: AgentToolCallText[],
  byName: Map<string, ToolEntry>,
  port: AgentToolPort,
  step: number,
  verdicts: Map<string, ApprovalVerdict>,
  beforeWait: () => Promise<void>,
): Promise<Map<string, ToolChildResult>> {
  const results = new Map<string, ToolChildResult>();
  const agentCalls = calls.filter((call) => {
    const verdict = verdicts.get(call.id);
    return (
      typeof byName.get(call.name)?.agent === 'string' && objectArguments(call.arguments) !== undefined && (verdict === undefined || verdict === 'approved')
    );
  });
  if (agentCalls.length === 0) return results;
  // Without children (a run in memory, `trellis test`) the call goes to the port's run: a test's mocked result, or an error.
  if (!port.children) return results;
  const requests: ToolChildRequest[] = agentCalls.map((call) => {
    const entry = byName.get(call.name)!;
    return { call_id: approvalKey(step, call), agent: entry.agent!, inputs: { ...objectArguments(call.arguments)!, ...(entry.inputs ?? {}) } };
  });
  const finished = await port.children.results(requests);
  const open = requests.filter((request) => !finished.has(request.call_id));
  if (open.length > 0) {
    await beforeWait();
    throw port.children.start(open);
  }
  agentCalls.forEach((call, i) => results.set(call.id, finished.get(requests[i]!.call_id)!));
  return results;
}
