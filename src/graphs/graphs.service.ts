// The graphs API: what a caller may see (file graphs and their own API graphs; admins everything), API
// graphs created and versioned from bodies in the agent format, versions activated or pinned, diagrams.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hashAgent } from '../agent-format/agent.canonical.js';
import { agentSourceFromJson } from '../agent-format/agent.parser.js';
import { analyzeAgent, type AgentAnalysis } from '../agent-format/agent.analysis.js';
import { renderMermaid, renderSvg } from '../agent-format/agent.render.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import type { Principal } from '../auth/principal.js';
import { callerOf, maySeeGraph } from './graph-access.js';
import { AGENT_VALIDATOR, AGENTS_SYNC_LOCK, type AgentValidator, type AgentsSyncLock } from './graph-agents.types.js';
import { GraphActivations } from './graph-activations.js';
import { GraphTriggersRepository } from './graph-triggers.repository.js';
import { triggerNodes } from './graph.document.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { graphView, versionView, type GraphView, type VersionView } from './graph.view.js';
import type { DiagramQuery, ListGraphsQuery } from './graphs.dto.js';
import { badGraphCursor, fileManaged, graphNameTaken, graphNotFound, graphVersionNotFound, pinningNeedsAdmin, versionProblem } from './graphs.errors.js';
import { checkAgentBody, prepareUpdateBody } from './graph-body.js';
import { GraphsRepository, type GraphRow, type VersionRow } from './graphs.repository.js';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type GraphAnalysis = AgentAnalysis & { version: number };

export interface Diagram {
  contentType: string;
  body: string;
}

const isAdmin = (principal: Principal): boolean => principal.role === 'admin';

@Injectable()
export class GraphsService {
  constructor(
    private readonly graphs: GraphsRepository,
    @Inject(AGENT_VALIDATOR) private readonly plans: AgentValidator,
    @Inject(AGENTS_SYNC_LOCK) private readonly syncs: AgentsSyncLock,
    private readonly activations: GraphActivations,
    private readonly triggers: GraphTriggersRepository,
    private readonly blocks: BlocksRegistry,
  ) {}

  async list(principal: Principal, query: ListGraphsQuery): Promise<Page<GraphView>> {
    const limit = query.limit ?? 50;
    const rows = await this.graphs.list({
      visibleTo: isAdmin(principal) ? null : principal.user.id,
      ...(query.source ? { source: query.source } : {}),
      ...(query.active !== undefined ? { active: query.active } : {}),
      ...(query.cursor !== undefined ? { after: decodeCursor(query.cursor) } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const disabled = await this.disabledTriggers(page.map(({ version }) => version));
    const items = page.map(({ graph, version }) => graphView(graph, version, this.plans.isTrigger, disabled.get(`${graph.id}/${version.version}`)));
    return { items, next_cursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
  }

  async get(principal: Principal, id: string, version?: number): Promise<GraphView> {
    const graph = await this.visible(principal, id);
    const shown = await this.version(graph, version);
    return graphView(graph, shown, this.plans.isTrigger, (await this.disabledTriggers([shown])).get(`${graph.id}/${shown.version}`));
  }

  async versions(principal: Principal, id: string): Promise<Page<VersionView>> {
    const graph = await this.visible(principal, id);
    const versions = await this.graphs.listVersions(id);
    return { items: versions.map((version) => versionView(version, graph)), next_cursor: null };
  }

  async diagram(principal: Principal, id: string, query: DiagramQuery): Promise<Diagram> {
    const graph = await this.visible(principal, id);
    const { definition } = await this.version(graph, query.version);
    return query.format === 'svg'
      ? { contentType: 'image/svg+xml; charset=utf-8', body: renderSvg(definition) }
      : { contentType: 'text/plain; charset=utf-8', body: renderMermaid(definition) };
  }

  /** GET /graphs/{id}/analysis: shape, credits per run (config/costs.yaml) and suggestions of a version. */
  async analysis(principal: Principal, id: string, version?: number): Promise<GraphAnalysis> {
    const graph = await this.visible(principal, id);
    const shown = await this.version(graph, version);
    const analysis = analyzeAgent(shown.definition, { blocks: this.blocks, costOf: (block, inputs) => this.blocks.costOf(block, inputs) });
    return { ...analysis, version: shown.version };
  }

  /** POST /graphs: version 1 of a new API graph. */
  async create(principal: Principal, body: unknown): Promise<GraphView> {
    const { agent, ownerId } = await checkAgentBody(this.plans, principal, agentSourceFromJson(body), principal.role);
    if (await this.graphs.find(agent.name)) throw graphNameTaken(agent.name);
    await this.graphs.transaction(async (manager) => {
      // Shared with other creations, exclusive with sync: a file and an API graph can't take a name at once.
      await this.syncs.lockShared(manager);
      const inserted = await this.graphs.insertGraph(manager, {
        id: agent.name,
        description: agent.description ?? null,
        source: 'api',
        owner_id: ownerId,
        created_by: principal.user.id,
        active_version: 1,
        latest_version: 1,
        file: null,
      });
      if (!inserted) throw graphNameTaken(agent.name);
      await this.insertVersion(manager, agent, 1, principal.user.id);
    });
    await this.activations.publish([{ graph_id: agent.name, active: true, active_version: 1 }]);
    return this.get(principal, agent.name);
  }

  /** PUT /graphs/{id}: a new active version of an API graph (none when nothing changed). */
  async update(principal: Principal, id: string, body: unknown): Promise<GraphView> {
    const graph = await this.visible(principal, id);
    if (graph.source === 'file') throw fileManaged(id, graph.file, 'changed');
    const creatorRole = graph.created_by === principal.user.id ? principal.role : await this.triggers.creatorRole(id);
    const { agent, ownerId } = await checkAgentBody(this.plans, principal, agentSourceFromJson(prepareUpdateBody(body, id)), creatorRole);
    const activated = await this.graphs.transaction(async (manager) => {
      const locked = (await this.graphs.find(id, manager, true))!;
      const latest = (await this.graphs.findVersion(id, locked.latest_version, manager))!;
      const same = latest.hash === hashAgent(agent);
      if (same && locked.active && locked.active_version === locked.latest_version) return null;
      const version = same ? locked.latest_version : locked.latest_version + 1;
      if (!same) await this.insertVersion(manager, agent, version, principal.user.id);
      await this.graphs.activateNewVersion(manager, id, { version, description: agent.description ?? null, owner_id: ownerId });
      return version;
    });
    if (activated !== null) await this.activations.publish([{ graph_id: id, active: true, active_version: activated }]);
    return this.get(principal, id);
  }

  /** DELETE /graphs/{id}: an API graph stops serving (its history stays). */
  async deactivate(principal: Principal, id: string): Promise<GraphView> {
    const graph = await this.visible(principal, id);
    if (graph.source === 'file') throw fileManaged(id, graph.file, 'deleted');
    if (graph.active) {
      await this.graphs.deactivate(id);
      await this.activations.publish([{ graph_id: id, active: false, active_version: null }]);
    }
    return this.get(principal, id);
  }

  /** PUT /graphs/{id}/versions/active: activate a version of an API graph; pin (or unpin) a file graph. */
  async setActiveVersion(principal: Principal, id: string, version: number | null): Promise<GraphView> {
    const graph = await this.visible(principal, id);
    if (graph.source === 'file' && !isAdmin(principal)) throw pinningNeedsAdmin(id);
    if (graph.source === 'api' && version === null) {
      throw versionProblem(`graph "${id}" was made through the API: its versions are not pinned; send {"version": N} to make version N active`);
    }
    const changed = await this.graphs.transaction(async (manager) => {
      // A sync reads pins under its exclusive lock: pinning waits for a running sync, and the other way round.
      await this.syncs.lockShared(manager);
      const locked = (await this.graphs.find(id, manager, true))!;
      if (version !== null && version > locked.latest_version) {
        throw versionProblem(`graph "${id}" has no version ${version}; its versions are 1 to ${locked.latest_version}`);
      }
      const fields =
        locked.source === 'api'
          ? { active_version: version!, pinned_version: null, active: true }
          : { active_version: version ?? locked.latest_version, pinned_version: version };
      await this.graphs.setVersions(id, fields, manager);
      const active = fields.active ?? locked.active;
      return active && (locked.active_version !== fields.active_version || !locked.active) ? { active_version: fields.active_version } : null;
    });
    if (changed) await this.activations.publish([{ graph_id: id, active: true, active_version: changed.active_version }]);
    return this.get(principal, id);
  }

  /** The graph if the caller may see it: file graphs for everyone, API graphs for their creator and admins; else 404. */
  async visible(principal: Principal, id: string): Promise<GraphRow> {
    const graph = await this.graphs.find(id);
    if (!graph || !maySeeGraph(graph, callerOf(principal))) throw graphNotFound(id);
    return graph;
  }

  /** `graph/version` -> (node id -> why the server disabled that trigger), for the versions shown. */
  private async disabledTriggers(versions: ReadonlyArray<{ graph_id: string; version: number }>): Promise<Map<string, Map<string, string>>> {
    const result = new Map<string, Map<string, string>>();
    for (const row of await this.triggers.disabled(versions)) {
      const key = `${row.graph_id}/${row.version}`;
      if (!result.has(key)) result.set(key, new Map());
      result.get(key)!.set(row.node_id, row.disabled_reason);
    }
    return result;
  }

  private async version(graph: GraphRow, version?: number): Promise<VersionRow> {
    const number = version ?? graph.active_version;
    const row = await this.graphs.findVersion(graph.id, number);
    if (!row) throw graphVersionNotFound(graph.id, number, graph.latest_version);
    return row;
  }

  private async insertVersion(manager: EntityManager, agent: AgentDefinition, version: number, userId: string): Promise<void> {
    await this.graphs.insertVersions(manager, [
      { graph_id: agent.name, version, definition: agent, hash: hashAgent(agent), file: null, commit: null, created_by: userId },
    ]);
    await this.graphs.insertTriggers(
      manager,
      triggerNodes(agent, this.plans.isTrigger).map((t) => ({
        graph_id: agent.name,
        version,
        node_id: t.node,
        block: t.block,
        config: t.inputs,
        credentials: t.credentials,
      })),
    );
  }
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z][a-z0-9-]{1,62}$/.test(id)) throw badGraphCursor();
  return id;
}
