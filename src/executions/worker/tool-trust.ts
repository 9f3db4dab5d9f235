// File trust for ai.agent tools (release-2.md section 1): in an execution with file trust, the `tools`
// constant of an ai.agent node, as its agent file gives it, is what file trust covers: the tool port
// (blocks/agent-tools.runner.ts) resolves the credentials of an entry equal to one of these as a node of
// the file would. Without file trust (API runs by non-admins, old versions, children of a user's graph)
// there are none, and tool credentials are checked against allow.users / allow.roles of the user.
import type { AgentToolDeps } from '../../blocks/agent-tools.runner.js';
import type { CompiledGraph } from '../engine/graph.compiler.js';
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
