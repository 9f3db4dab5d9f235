// Agent bodies of POST and PUT /api/graphs: checked by the same validator as agent files (same messages),
// pointed into with JSON Pointers, plus the API's own rules (who may be named owner, renames).
import { isDict } from '../agent-format/agent.fields.js';
import type { AgentSource } from '../agent-format/agent.parser.js';
import type { Principal } from '../auth/principal.js';
import { validationFailed, type Problem } from '../common/errors.js';
import type { UserRole } from '../users/user.entity.js';
import type { AgentValidator } from './graph-agents.types.js';
import { callerOf, GITHUB_TRIGGER, GITHUB_TRIGGER_NEEDS_ADMIN, maySeeGraph, mayUseGithubTrigger } from './graph-access.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { VIEW_ONLY_KEYS } from './graph.view.js';

const SEND_JSON = 'send the agent as a JSON object (Content-Type: application/json) in the agent format: {"name": "...", "nodes": {...}, "links": [...]}';

export interface CheckedAgent {
  agent: AgentDefinition;
  /** The user billed for trigger runs: the named owner, else the caller. */
  ownerId: string;
}

/**
 * Every problem of the body at once (400), or the canonical agent. `creatorRole`: the role of the graph's
 * creator (the caller for a new graph), which decides whether it may hold trigger.github.
 */
export async function checkAgentBody(plans: AgentValidator, principal: Principal, source: AgentSource, creatorRole: UserRole | null): Promise<CheckedAgent> {
  if (source.data === undefined) throw validationFailed([{ pointer: '', message: SEND_JSON }]);
  const handle = principal.user.handle;
  const asker = { userId: principal.user.id, handle, role: principal.user.role };
  // Only graphs the caller may see can be called, or named in a suggestion (tenant isolation).
  const { report, users } = await plans.validate([source], { defaultOwner: handle, asker, callable: (graph) => maySeeGraph(graph, callerOf(principal)) });
  const result = report.results[0]!;
  const problems: Problem[] = result.problems
    .filter((problem) => problem.severity === 'error')
    .map(({ pointer, message, node, pin }) => ({ pointer, message, ...(node !== undefined ? { node } : {}), ...(pin !== undefined ? { pin } : {}) }));
  const owner = isDict(source.data) ? source.data.owner : undefined;
  if (typeof owner === 'string' && owner !== handle && principal.role !== 'admin') {
    problems.push({
      pointer: '/owner',
      message: `only admins may bill another user for this graph's trigger runs: set owner to yourself ("${handle}") or leave it out`,
    });
  }
  if (!mayUseGithubTrigger('api', creatorRole) && isDict(source.data) && isDict(source.data.nodes)) {
    for (const [id, node] of Object.entries(source.data.nodes)) {
      if (isDict(node) && node.block === GITHUB_TRIGGER)
        problems.push({ pointer: `/nodes/${id}/block`, message: githubTriggerRefused(creatorRole === null), node: id });
    }
  }
  if (problems.length || !result.agent) throw validationFailed(problems);
  const agent = result.agent;
  return { agent, ownerId: agent.owner !== undefined ? users.get(agent.owner)! : principal.user.id };
}

/**
 * A PUT body: the name may be left out (it is the id in the path) but not changed, and the read-only keys
 * of the Graph shape are dropped, so GET, edit, PUT works.
 */
export function prepareUpdateBody(body: unknown, id: string): unknown {
  if (body === undefined) throw validationFailed([{ pointer: '', message: SEND_JSON }]);
  if (!isDict(body)) return body;
  const doc: Record<string, unknown> = { ...body };
  for (const key of VIEW_ONLY_KEYS) delete doc[key];
  if (doc.name === undefined) doc.name = id;
  if (doc.name !== id) {
    throw validationFailed([
      {
        pointer: '/name',
        message: `the name must be the graph's id "${id}" (or left out): a graph can't be renamed; create one under the new name with POST /api/graphs`,
      },
    ]);
  }
  return doc;
}

function githubTriggerRefused(creatorGone: boolean): string {
  const who = creatorGone ? 'this graph has no creator any more' : 'this graph was not created by an admin';
  return `${GITHUB_TRIGGER_NEEDS_ADMIN}, and ${who}: put the agent in an agent file (reviewed by pull request), ask an admin to create it, or use trigger.webhook for events you send yourself`;
}
