// Back to Git: POST /api/graphs/{id}/propose turns an API graph's active version into an agent file (the file
// form of its canonical definition, checked as sync would check it) on a new branch of the agents repository
// and opens a pull request, so a graph built through the API joins the reviewed folder; and the drift report
// (API graphs, and file agents pinned away from their file). Not done yet: a sync
// that hands the API graph's name over to the merged file (today the name stays the API graph's).
import { Inject, Injectable } from '@nestjs/common';
import { stringify } from 'yaml';
import { hashAgent } from '../../agent-format/agent.canonical.js';
import { parseAgentYaml } from '../../agent-format/agent.parser.js';
import { AgentsPlanService } from '../../agents/agents-plan.service.js';
import { AppError, validationFailed } from '../../common/errors.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { maySeeGraph, type GraphAccessUser } from '../../graphs/graph-access.js';
import { toAgentDocument } from '../../graphs/graph.document.js';
import { graphNotFound } from '../../graphs/graphs.errors.js';
import { GraphsRepository } from '../../graphs/graphs.repository.js';
import { ADMIN_HANDLE } from '../../users/users.service.js';
import { GitopsConnection } from './gitops-connection.js';

/** GET /api/agents/drift: what runs but is not what the repository says. */
export interface DriftReport {
  /** Active API graphs the caller may see: they live only in the database (propose them to bring them into Git). */
  api_graphs: Array<{ id: string; version: number; hash: string; created_by: string | null }>;
  /** File agents pinned to a version other than their file's newest one. */
  pinned: Array<{ id: string; file: string | null; pinned_version: number; file_version: number }>;
}

/** The drift report reads at most this many graphs. */
const DRIFT_LIMIT = 100_000;

export interface Proposal {
  graph: string;
  version: number;
  /** The file's path in the repository. */
  file: string;
  branch: string;
  /** The content hash the file agent will have: the API graph's own. */
  hash: string;
  pull_request: { number: number; url: string };
}

/** The agent file of a canonical definition, with a header saying where it came from. */
export function proposedFileText(id: string, version: number, document: Record<string, unknown>): string {
  return `# Proposed by Trellis from the API graph "${id}", version ${version}.\n${stringify(document, { lineWidth: 0 })}`;
}

@Injectable()
export class GitopsProposeService {
  constructor(
    private readonly graphs: GraphsRepository,
    private readonly planner: AgentsPlanService,
    private readonly connection: GitopsConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async propose(id: string, caller: GraphAccessUser): Promise<Proposal> {
    const graph = await this.graphs.find(id);
    if (!graph || !maySeeGraph(graph, caller)) throw graphNotFound(id);
    if (graph.source !== 'api')
      throw new AppError('CONFLICT', `Graph "${id}" already comes from an agent file (${graph.file ?? 'the agents folder'}); change that file instead.`, {
        graph: id,
      });
    const github = this.connection.github();
    if (typeof github === 'string') throw new AppError('GITOPS_NOT_CONFIGURED', `Proposals need the agents repository on GitHub: ${github}.`, { graph: id });
    const definition = (await this.graphs.definitions([{ name: id, version: graph.active_version }])).get(id);
    if (!definition) throw graphNotFound(id);

    const folder = this.connection.folder;
    const file = `${folder}/${id}.yaml`;
    const text = proposedFileText(id, graph.active_version, toAgentDocument(definition));
    const source = parseAgentYaml(text, file);
    const { report } = await this.planner.validate([source], { defaultOwner: ADMIN_HANDLE, callable: () => true });
    const problems = report.results[0]?.problems.filter((p) => p.severity === 'error') ?? [];
    if (problems.length || !report.results[0]?.agent)
      throw validationFailed(problems, `Graph "${id}" does not make a valid agent file; fix it with PUT /api/graphs/${id} and propose again.`);
    const hash = hashAgent(report.results[0].agent);

    const { client, ref } = github;
    const base = this.config.gitops.branch;
    if (await client.exists(ref, file, base))
      throw new AppError('CONFLICT', `${file} already exists on ${base} in ${ref.owner}/${ref.repo}: rename the graph, or edit that file.`, {
        graph: id,
        file,
      });
    const branch = `trellis/propose-${id}-${Date.now().toString(36)}`;
    await client.createBranch(ref, branch, await client.branchSha(ref, base));
    await client.createFile(ref, file, branch, `Add agent ${id} (proposed from the API graph, version ${graph.active_version})`, text);
    const pull = await client.openPull(ref, {
      title: `Add agent ${id} from the API`,
      head: branch,
      base,
      body: [
        `Trellis proposes the API graph \`${id}\` (version ${graph.active_version}, content hash \`${hash.slice(0, 12)}\`) as the agent file \`${file}\`.`,
        "The file was checked as a sync checks agent files; its canonical form is the API graph's, so it has the same content hash.",
        '',
        `Merged unchanged, the sync of the push takes the API graph \`${id}\` over: it becomes this file's agent, its versions and history kept`,
        '(read-only through the API from then on: change the file). Changed before merging, its name is taken: the sync reports the file as invalid.',
      ].join('\n'),
    });
    return { graph: id, version: graph.active_version, file, branch, hash, pull_request: pull };
  }

  async drift(caller: GraphAccessUser): Promise<DriftReport> {
    const graphs = await this.graphs.list({ visibleTo: caller.role === 'admin' ? null : caller.id, active: true, limit: DRIFT_LIMIT });
    return {
      api_graphs: graphs
        .filter(({ graph }) => graph.source === 'api')
        .map(({ graph, version }) => ({ id: graph.id, version: version.version, hash: version.hash, created_by: graph.created_by })),
      pinned: graphs
        .filter(({ graph }) => graph.source === 'file' && graph.pinned_version !== null && graph.pinned_version !== graph.latest_version)
        .map(({ graph }) => ({ id: graph.id, file: graph.file, pinned_version: graph.pinned_version!, file_version: graph.latest_version })),
    };
  }
}
