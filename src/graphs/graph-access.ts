// Who may see, call and trigger which graph (release-2.md section 1, "Tenant isolation"): one rule for the
// graphs API, agent.run at validation and at run time (and ai.agent agent tools), and GitHub routing.
import type { Principal } from '../auth/principal.js';
import type { UserRole } from '../users/user.entity.js';
import type { GraphSource } from '../agent-format/graph.types.js';

export interface GraphAccessSubject {
  source: GraphSource | string;
  /** Who made an API graph; null for file graphs (and API graphs whose creator was deleted). */
  created_by: string | null;
}

export interface GraphAccessUser {
  id: string;
  role: UserRole | string;
}

/** The caller of a request as these rules see it: the role the request acts with. */
export function callerOf(principal: Principal): GraphAccessUser {
  return { id: principal.user.id, role: principal.role };
}

/**
 * Whether `user` may see a graph, and so name it in agent.run or start it as a child: file agents for
 * everyone, an API graph for its creator, every graph for admins. Any other graph is as if it did not exist.
 */
export function maySeeGraph(graph: GraphAccessSubject, user: GraphAccessUser): boolean {
  return graph.source === 'file' || user.role === 'admin' || (graph.created_by !== null && graph.created_by === user.id);
}

/**
 * Whether a graph may hold a working `trigger.github`: it receives events of every repository the server's
 * webhook serves, so only agent files (reviewed) and API graphs made by an admin may. `creatorRole` is the
 * creator's role now (null: no creator).
 */
export function mayUseGithubTrigger(source: GraphSource | string, creatorRole: UserRole | string | null): boolean {
  return source === 'file' || creatorRole === 'admin';
}

export const GITHUB_TRIGGER = 'trigger.github';

/** Why an API graph may not have a trigger.github node (400 at creation, `disabled_reason` on upgrade). */
export const GITHUB_TRIGGER_NEEDS_ADMIN =
  'trigger.github receives the events of every repository this server hears from, so only agent files and API graphs created by an admin may use it';
