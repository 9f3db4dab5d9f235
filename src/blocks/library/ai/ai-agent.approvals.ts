// require_approval tools of ai.agent (release-2.md section 4): before a batch of tool calls runs, every call
// of a tool that asks for approval needs its review decided. Undecided ones are asked for through the
// port's approvals (the node then waits, reason `tool`, and runs again from its stored conversation once
// every review ended); a rejection (or a cancel) reaches the model as {"error": "rejected by reviewer"}, a
// timeout as that with the reason after it, and the loop goes on. In `trellis test` the scripted mock decides (approvals: {tool: approve
// | reject}); where no reviews can be asked for at all (a run in memory), such a call comes back to the
// model as an error instead of running unapproved.
import type { AgentToolPort, ToolApprovalRequest } from '../../block.types.js';
import type { ToolEntry } from './ai-agent.tools.js';
import type { AgentToolCallText } from './ai-agent.wire.js';

export const REJECTED_BY_REVIEWER = 'rejected by reviewer';
/** A review nobody decided in time rejects too (on_timeout: reject), and the model is told why. */
export const REVIEW_TIMED_OUT = `${REJECTED_BY_REVIEWER}: no reviewer decided before the review timed out, so the tool did not run`;
export const NO_APPROVAL_HERE = "this tool needs a reviewer's approval, which only an execution on the server can ask for";

/** A call's verdict: run it (approved), or tell the model why not. */
export type ApprovalVerdict = 'approved' | 'rejected' | 'timed_out' | 'unavailable';

/** The key of a call's review: unique within the node execution (model call ids may repeat across turns). */
export function approvalKey(step: number, call: AgentToolCallText): string {
  return `${step}:${call.id}`;
}

/**
 * The verdicts of the require_approval calls among `calls` (model call number `step`), by call id. When
 * some are not decided yet, `beforeWait` runs (the conversation is stored) and the port's wait error is
 * thrown: the attempt ends there and the node waits on the reviews.
 */
export async function approvalVerdicts(
  calls: AgentToolCallText[],
  byName: Map<string, ToolEntry>,
  port: AgentToolPort,
  step: number,
  beforeWait: () => Promise<void>,
): Promise<Map<string, ApprovalVerdict>> {
  const verdicts = new Map<string, ApprovalVerdict>();
  const needing = calls.filter((call) => byName.get(call.name)?.require_approval === true && objectArguments(call.arguments) !== undefined);
  if (needing.length === 0) return verdicts;
  if (!port.approvals) {
    for (const call of needing) verdicts.set(call.id, 'unavailable');
    return verdicts;
  }
  const requests: ToolApprovalRequest[] = needing.map((call) => ({
    call_id: approvalKey(step, call),
    tool: call.name,
    arguments: objectArguments(call.arguments)!,
  }));
  const decided = await port.approvals.decisions(requests);
  const open = requests.filter((request) => !decided.has(request.call_id));
  needing.forEach((call, i) => {
    const decision = decided.get(requests[i]!.call_id);
    if (decision) verdicts.set(call.id, decision);
  });
  if (open.length > 0) {
    await beforeWait();
    throw port.approvals.wait(open);
  }
  return verdicts;
}

/** The arguments as an object, or undefined when they are not a JSON object (the call fails before any review). */
export function objectArguments(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = text.trim() === '' ? {} : JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
