// require_approval tool calls of ai.agent in a durable execution (release-2.md section 4). The tool port's
// approvals (blocks/agent-tools.runner.ts) read how a node execution's tool reviews ended and note which
// calls ask for one; the attempt then ends, and NodeAttempts opens one review per call (keyed by node
// execution and call, so a re-run after a crash finds the same ones) and makes the node WAITING with reason
// `tool`, without a slot. Once every review ended (outside-watch.ts) the node runs again and continues its
// stored conversation, reading the decisions here.
import { noAgentNamed } from '../../agent-format/agent.problems.js';
import type { AgentApprovalPort, ToolApprovalRequest, ToolChildRequest } from '../../blocks/block.types.js';
import type { NewChildExecution } from '../admission/admission.types.js';
import { EngineErrorCode, type NodeError } from '../engine/engine.errors.js';
import type { NodeRun, WaitReason } from '../engine/engine.types.js';
import type { CompiledNode } from '../engine/graph.compiler.js';
import { reviewRequestOf, type ReviewEnd } from '../engine/wait-suspensions.js';
import type { OutsideWaits, WaitOwner } from '../outside-waits.types.js';
import { childIdOf } from './tool-children.js';

/** The error an ai.agent attempt ends with when it waits on reviews (never stored: the node is WAITING instead). */
export class ToolApprovalWait extends Error {
  constructor(readonly requests: ToolApprovalRequest[]) {
    super(`waits for reviews of its tool calls ${requests.map((r) => r.tool).join(', ')}`);
  }
}

/** One per worker: the calls each node execution's attempt asked reviews for, until NodeAttempts takes them. */
export class ToolApprovals {
  private readonly asked = new Map<string, ToolApprovalRequest[]>();

  constructor(private readonly port: OutsideWaits | null) {}

  /** The approvals of one ai.agent node execution (undefined where no reviews can be kept). */
  portFor(nodeExecutionId: string): AgentApprovalPort | undefined {
    const port = this.port;
    if (!port) return undefined;
    return {
      decisions: async () => {
        // The reviews are keyed by call_id, so every decided one of this node execution can be read at once.
        const ends = await port.toolReviewEnds(nodeExecutionId);
        return new Map([...ends].map(([key, end]) => [key, verdictOf(end)]));
      },
      wait: (requests) => {
        this.asked.set(nodeExecutionId, requests);
        return new ToolApprovalWait(requests);
      },
    };
  }

  /** The calls the run's attempt asked reviews for (taken once; undefined: it asked for none). */
  take(runId: string): ToolApprovalRequest[] | undefined {
    const requests = this.asked.get(runId);
    this.asked.delete(runId);
    return requests;
  }
}

/** A review's end as a verdict: approved, or on a timeout whose on_timeout approves; a timeout otherwise (the model is told so); anything else rejects. */
function verdictOf(end: ReviewEnd): 'approved' | 'rejected' | 'timed_out' {
  if (end.status === 'approved' || (end.status === 'timed_out' && end.on_timeout === 'approve')) return 'approved';
  return end.status === 'timed_out' ? 'timed_out' : 'rejected';
}

/**
 * Opens (or finds) one review per call, for the node's `reviewers` (default: the agent's owner), showing
 * the tool and its arguments. Answers the review ids and when the first times out, or the error that fails
 * the node (bad reviewers, REVIEW_LIMIT).
 */
async function openToolReviews(
  port: OutsideWaits,
  owner: WaitOwner,
  run: NodeRun,
  node: CompiledNode,
  requests: ToolApprovalRequest[],
): Promise<{ ids: string[]; dueAt: number | null; timeoutMs: number } | { error: NodeError }> {
  const ids: string[] = [];
  let dueAt: number | null = null;
  let timeoutMs = 0;
  for (const call of requests) {
    const inputs = {
      title: `Approve the tool call ${call.tool}`,
      body: `The AI agent of node \`${node.id}\` asks to run the tool **${call.tool}** with these arguments:\n\n\`\`\`json\n${JSON.stringify(call.arguments, null, 2)}\n\`\`\`\n\nIf you reject it, the model is told "rejected by reviewer".`,
      data: { tool: call.tool, arguments: call.arguments },
      reviewers: run.inputs.reviewers,
      decisions: ['approve', 'reject'],
    };
    const request = reviewRequestOf({ ...run, inputs }, node);
    if ('ok' in request) return { error: { code: request.error.code, message: request.error.message.replace('(human.review)', '(ai.agent)') } };
    const opened = await port.openReview({ ...owner, tool_call_id: call.call_id }, request);
    if ('error' in opened) return opened;
    ids.push(opened.id);
    const expires = new Date(opened.expires_at).getTime();
    dueAt = dueAt === null ? expires : Math.min(dueAt, expires);
    timeoutMs = request.timeout_ms;
  }
  return { ids, dueAt, timeoutMs };
}

/** What an ai.agent attempt that ended to wait asked for: reviews of tool calls, child executions of agent tools. */
export interface ToolWaits {
  reviews: ToolApprovalRequest[];
  children: ToolChildRequest[];
}

export interface ToolWaitPorts {
  outside: OutsideWaits | null;
  childVersion(graphId: string, version: number | null, userId: string): Promise<number | null>;
}

/**
 * Opens the reviews and prepares the child executions an ai.agent run waits on. Answers the node's wait
 * reason, its due time (the first review's timeout; null: none), and the children to write with the
 * WAITING row, or the error that fails the node.
 */
export async function openToolWaits(
  ports: ToolWaitPorts,
  owner: WaitOwner,
  run: NodeRun,
  node: CompiledNode,
  waits: ToolWaits,
  limits: { depth: number; maxDepth: number },
): Promise<{ reason: WaitReason; dueAt: number | null; children: NewChildExecution[] } | { error: NodeError }> {
  let reviews: { ids: string[]; dueAt: number | null; timeoutMs: number } = { ids: [], dueAt: null, timeoutMs: 0 };
  if (waits.reviews.length > 0) {
    if (!ports.outside) return { error: { code: EngineErrorCode.NODE_FAILED, message: `Node "${node.id}" (ai.agent) cannot ask for reviews here.` } };
    const opened = await openToolReviews(ports.outside, owner, run, node, waits.reviews);
    if ('error' in opened) return opened;
    reviews = opened;
  }
  const children: NewChildExecution[] = [];
  const depth = limits.depth + 1;
  for (const call of waits.children) {
    if (depth > limits.maxDepth)
      return {
        error: {
          code: EngineErrorCode.NODE_FAILED,
          message: `Node "${node.id}" would start agent ${JSON.stringify(call.agent)} at depth ${depth}, deeper than executor.max_depth (${limits.maxDepth}).`,
        },
      };
    const version = await ports.childVersion(call.agent, null, owner.user_id);
    if (version === null)
      return {
        error: { code: EngineErrorCode.NODE_FAILED, message: `Node "${node.id}" (ai.agent): ${noAgentNamed(call.agent)} that this execution may run.` },
      };
    children.push({
      id: childIdOf(run.id, call.call_id),
      graph_id: call.agent,
      graph_version: version,
      user_id: owner.user_id,
      parent_id: owner.execution_id,
      parent_node_execution_id: run.id,
      depth,
      inputs: call.inputs,
    });
  }
  const reason: WaitReason = { kind: 'tool', review_ids: reviews.ids, child_ids: children.map((c) => c.id), delay_ms: reviews.timeoutMs };
  return { reason, dueAt: reviews.dueAt, children };
}

/** Where a wait of this node execution belongs. */
export function waitOwner(
  execution: { id: string; graph_id: string; graph_version: number; user_id: string },
  nodeExecutionId: string,
  nodeId: string,
): WaitOwner {
  return {
    execution_id: execution.id,
    node_execution_id: nodeExecutionId,
    node_id: nodeId,
    graph_id: execution.graph_id,
    graph_version: execution.graph_version,
    user_id: execution.user_id,
  };
}
