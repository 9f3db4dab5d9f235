// File trust for ai.agent tools (release-2.md section 1): in an execution with file trust, the `tools`
// constant of an ai.agent node, as its agent file gives it, is what file trust covers: the tool port
// (blocks/agent-tools.runner.ts) resolves the credentials of an entry equal to one of these as a node of
// the file would. Without file trust (API runs by non-admins, old versions, children of a user's graph)
// there are none, and tool credentials are checked against allow.users / allow.roles of the user.
import { withAgentTools, type AgentToolDeps } from '../../blocks/agent-tools.runner.js';
import { runValidatedBlock } from '../../blocks/validated-run.js';
import type { BlockAttemptFn } from '../engine/block-attempt.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
import type { RunnerDeps } from './execution-runner.types.js';
import type { ToolApprovals } from './tool-approvals.js';
import type { ToolChildren } from './tool-children.js';

export function fileToolsOf(fileTrust: boolean, graph: CompiledGraph): ((nodeId: string) => readonly unknown[] | undefined) | undefined {
  if (!fileTrust) return undefined;
  return (nodeId) => {
    const tools = graph.nodes.get(nodeId)?.definition.inputs.tools;
    return Array.isArray(tools) ? tools : undefined;
  };
}

/** What the tool port of one execution's ai.agent nodes gets from the worker: stored conversations, reviews, child executions and file trust. */
export function toolPortDeps(
  execution: { file_trust?: boolean | null },
  graph: CompiledGraph,
  approvals: ToolApprovals,
  children: ToolChildren | undefined,
  conversations?: AgentToolDeps['checkpoints'],
): Pick<AgentToolDeps, 'approvals' | 'fileTools' | 'children' | 'checkpoints'> {
  const fileTrust = execution.file_trust === true;
  return {
    ...(conversations ? { checkpoints: conversations } : {}),
    approvals: (id) => approvals.portFor(id),
    fileTools: fileToolsOf(fileTrust, graph),
    ...(children ? { children: (id: string, userId: string) => children.portFor(id, userId) } : {}),
  };
}

/**
 * The block runner of one execution: the injected one, else the validated run with the tool port of its ai.agent
 * nodes. A graph without an ai.agent node gets the validated run as it is (withAgentTools would only pass every
 * attempt through), so nothing is built for it per execution.
 */
export function executionBlockRunner(
  deps: RunnerDeps,
  execution: { file_trust?: boolean | null },
  graph: CompiledGraph,
  approvals: ToolApprovals,
): BlockAttemptFn {
  if (deps.runBlock) return deps.runBlock;
  let agents = false;
  for (const node of graph.nodes.values()) if (node.blockId === 'ai.agent') agents = true;
  if (!agents) return runValidatedBlock;
  return withAgentTools(runValidatedBlock, { ...deps, ...toolPortDeps(execution, graph, approvals, deps.toolChildren, deps.conversations) });
}
