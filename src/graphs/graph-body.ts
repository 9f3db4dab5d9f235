// Agent bodies of POST and PUT /api/graphs: checked by the same validator as agent files (same messages),
// pointed into with JSON Pointers, plus the API's own rules (who may be named owner, renames).
import { isDict } from '../agents/agent.fields.js';
import type { AgentSource } from '../agents/agent.parser.js';
import type { AgentsPlanService } from '../agents/agents-plan.service.js';
import type { Principal } from '../auth/principal.js';
import { validationFailed, type Problem } from '../common/errors.js';
import type { AgentDefinition } from './graph.types.js';
import { VIEW_ONLY_KEYS } from './graph.view.js';

const SEND_JSON = 'send the agent as a JSON object (Content-Type: application/json) in the agent format: {"name": "...", "nodes": {...}, "links": [...]}';

export interface CheckedAgent {
  agent: AgentDefinition;
  /** The user billed for trigger runs: the named owner, else the caller. */
  ownerId: string;
}

/** Every problem of the body at once (400), or the canonical agent. */
export async function checkAgentBody(plans: AgentsPlanService, principal: Principal, source: AgentSource): Promise<CheckedAgent> {
  if (source.data === undefined) throw validationFailed([{ pointer: '', message: SEND_JSON }]);
  const handle = principal.user.handle;
  const asker = { userId: principal.user.id, handle, role: principal.user.role };
  const { report, users } = await plans.validate([source], { defaultOwner: handle, asker });
  const result = report.results[0]!;
  const problems: Problem[] = result.problems
    .filter((problem) => problem.severity === 'error')
    .map(({ pointer, message, node, pin }) => ({ pointer, message, ...(node !== undefined ? { node } : {}), ...(pin !== undefined ? { pin } : {}) }));
  const owner = isDict(source.data) ? source.data.owner : undefined;
  if (typeof owner === 'string' && owner !== handle && principal.role !== 'admin') {
    problems.push({ pointer: '/owner', message: `only admins may bill another user for this graph's trigger runs: set owner to yourself ("${handle}") or leave it out` });
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
    throw validationFailed([{ pointer: '/name', message: `the name must be the graph's id "${id}" (or left out): a graph can't be renamed; create one under the new name with POST /api/graphs` }]);
  }
  return doc;
}
