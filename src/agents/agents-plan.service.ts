// Validation with the database at hand, and the plan of a sync: the folder read and validated as a whole
// (names, sub-agent cycles across files and API graphs, owners, credentials), compared with the stored
// graphs in a handful of queries, whatever the number of files.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { IntegrationAwareRegistry, loadIntegrationCatalog, type IntegrationCatalog } from '../blocks/integrations/integration-blocks.js';
import { BLOCK_LIBRARY } from '../blocks/library/index.js';
import { blocksUsableBy, mayUseOperatorCredential, type CredentialAsker } from '../blocks/credential-policy.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, ConfigCredential } from '../config/config.schema.js';
import { GraphsRepository } from '../graphs/graphs.repository.js';
import type { AgentValidator, DatabaseValidation, ValidateOptions } from '../graphs/graph-agents.types.js';
import { maySeeGraph, type GraphAccessUser } from '../graphs/graph-access.js';
import { ADMIN_HANDLE } from '../users/users.service.js';
import { summarizeAgent, type AgentSummary } from '../agent-format/agent.context.js';
import { hashAgent } from '../agent-format/agent.canonical.js';
import { parseAgentYaml, type AgentSource } from '../agent-format/agent.parser.js';
import type { AgentProblem } from '../agent-format/agent.problems.js';
import { validateAgents } from '../agent-format/agent.validator.js';
import { analyzeAgent } from '../agent-format/agent.analysis.js';
import { AgentsLookupsRepository } from './agents-lookups.repository.js';
import { attachCosts } from './agents-plan.cost.js';
import { databaseValidationContext, documentReferences, type DocumentReferences } from './agents-plan.context.js';
import { ParsedFilesCache, readAgentsFolder, type AgentsFolder } from './agents-plan.folder.js';
import { apiNameTakenMessage, attachChanges, classify, definitionsToCompare, problemAtName, summarize, type AgentsPlan, type Classified } from './agents-plan.js';
import { AgentsSyncRepository } from './agents-sync.repository.js';
import { planIntegrations, type IntegrationsPlan } from './agents-integrations.js';
import { blocksNamed, IntegrationsRepository } from './integrations.repository.js';
import { behindReason, gitCommit } from './agents-sync.git.js';

/** POST /api/agents/validate: one file's problems, as sync would report them. */
export interface FileValidation {
  ok: boolean;
  file: string | null;
  name: string | null;
  /** The content hash a sync would record (only when valid). */
  hash: string | null;
  errors: number;
  warnings: number;
  problems: AgentProblem[];
}

export interface FolderPlan {
  plan: AgentsPlan;
  classified: Classified;
  users: Map<string, string>;
  integrations: IntegrationsPlan;
  catalog: IntegrationCatalog;
}

/** Where the last sync of this deployment's folder is recorded (agent_sync_state.scope). */
export function syncScope(config: AppConfig): string {
  return config.gitops.repository ? `${config.gitops.repository}#${config.gitops.folder}` : 'default';
}

@Injectable()
export class AgentsPlanService implements AgentValidator {
  constructor(
    private readonly graphs: GraphsRepository,
    private readonly lookups: AgentsLookupsRepository,
    private readonly syncState: AgentsSyncRepository,
    private readonly blocks: BlocksRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly integrationVersions: IntegrationsRepository,
  ) {}

  readonly isTrigger = (block: string): boolean => this.blocks.get(block)?.trigger === true;

  /** Unchanged files are not parsed again by the next read of this process. */
  private readonly parsed = new ParsedFilesCache();

  /** The configured agents folder (or `dir`), read and parsed; a missing folder is an error, never "remove everything". */
  readFolder(dir?: string): AgentsFolder {
    return readAgentsFolder(dir ?? this.config.agentsDir, process.cwd(), this.parsed);
  }

  /** What a sync would do now, without doing it. */
  async plan(dir?: string): Promise<AgentsPlan> {
    const folder = this.readFolder(dir);
    const commit = await gitCommit(folder.dir);
    const { plan } = await this.planFolder(folder, commit);
    const state = await this.syncState.readState(syncScope(this.config));
    plan.blocked = await behindReason(folder.dir, commit, state?.commit ?? null);
    return plan;
  }

  /** The plan of a read folder against the database (inside the sync's transaction when `manager` is given). */
  async planFolder(folder: AgentsFolder, commit: string | null, manager?: EntityManager): Promise<FolderPlan> {
    const sources = folder.files.map((file) => file.source);
    const names = documentReferences(sources).names;
    const { integrations, catalog, registry } = await this.planIntegrations(folder, manager);
    const { report, users } = await this.validateAgainst(registry, sources, {
      defaultOwner: ADMIN_HANDLE,
      // A file may call API graphs, and agents whose files are still here (a file that fails to parse keeps its last good version).
      callable: (graph) => graph.source === 'api' || names.has(graph.id),
      ...(manager ? { manager } : {}),
    });
    const stored = new Map((await this.graphs.storedGraphs(manager)).map((graph) => [graph.id, graph]));
    const classified = classify({ files: folder.files, report, stored });
    const previous = await this.graphs.definitions(definitionsToCompare(classified), manager);
    attachChanges(classified, previous, this.isTrigger);
    attachCosts(classified, previous, (agent) => {
      const { min, max } = analyzeAgent(agent, { blocks: registry, costOf: (block, inputs) => registry.costOf(block, inputs) }).cost;
      return { min, max };
    });
    const plan: AgentsPlan = {
      folder: folder.display,
      commit,
      blocked: null,
      summary: summarize(classified.entries),
      agents: classified.entries,
      integrations: integrations.entries,
    };
    return { plan, classified, users, integrations, catalog };
  }

  /**
   * The integrations folder against the recorded versions, and the registry the folder's agents validate
   * against: the library, the accepted integrations' new blocks, the last good blocks of the others.
   */
  private async planIntegrations(folder: AgentsFolder, manager?: EntityManager) {
    const catalog = await loadIntegrationCatalog(this.config.integrationsDir, BLOCK_LIBRARY);
    const current = this.blocks instanceof IntegrationAwareRegistry ? this.blocks.integrationBlocks : [];
    const integrations = await planIntegrations({
      catalog,
      stored: await this.integrationVersions.latest(manager),
      current,
      recordedBlocks: (name, version) => this.integrationVersions.recordedBlocks(name, version, manager),
      usersOf: async (blocks) => {
        const users = await this.integrationVersions.storedUsers(blocks, manager);
        for (const file of folder.files) {
          const name = (file.source.data as { name?: unknown } | undefined)?.name ?? file.source.expectedName;
          for (const block of blocksNamed(file.source.data)) if (blocks.includes(block)) users.set(block, [...(users.get(block) ?? []), `agent ${String(name)} (${file.path})`]);
        }
        return users;
      },
    });
    const registry = new BlocksRegistry([...BLOCK_LIBRARY, ...integrations.blocks], this.config.costs, { compileSchemas: false });
    return { integrations, catalog, registry };
  }

  /** After a sync: this process serves the integrations' new blocks (other processes at their next start or sync). */
  serveIntegrations(integrations: IntegrationsPlan, catalog: IntegrationCatalog): void {
    if (!(this.blocks instanceof IntegrationAwareRegistry)) return;
    const names = [...new Set([...integrations.names, ...this.blocks.catalog.integrations.map((i) => i.file.name)])];
    this.blocks.useIntegrations(names, integrations.blocks, catalog);
  }

  /** Validates documents as a set, with users, credentials, channels and stored agents looked up. */
  validate(sources: readonly AgentSource[], options: ValidateOptions): Promise<DatabaseValidation> {
    return this.validateAgainst(this.blocks, sources, options);
  }

  private async validateAgainst(blocks: BlocksRegistry, sources: readonly AgentSource[], options: ValidateOptions): Promise<DatabaseValidation> {
    const refs = documentReferences(sources);
    const users = await this.lookups.usersByHandle([...refs.owners, options.defaultOwner], options.manager);
    const credentials = await this.lookups.credentialsByHandle(users, options.manager);
    const { catalog, names } = await this.loadCatalog(refs, options.callable, options.manager);
    // An API graph's caller sees only the integration blocks their `allow` admits (the others read as unknown).
    const context = databaseValidationContext(options.asker ? blocksUsableBy(blocks, options.asker) : blocks, {
      users,
      credentials,
      configCredentials: options.asker ? usableCredentials(this.config.credentials, options.asker) : this.config.credentials,
      channels: Object.keys(this.config.notificationChannels),
      catalog,
      catalogNames: names,
      defaultOwner: options.defaultOwner,
      publicUrl: this.config.server.public_url ?? null,
    });
    return { report: validateAgents(sources, context), users };
  }

  /**
   * One agent file's text, checked as sync would check it (its name may not be an API graph's); it may call,
   * and its messages name, only the graphs `caller` may see.
   */
  async validateFile(text: string, caller: GraphAccessUser, path?: string): Promise<FileValidation> {
    const source = parseAgentYaml(text, path);
    const { report } = await this.validate([source], { defaultOwner: ADMIN_HANDLE, callable: (graph) => maySeeGraph(graph, caller) });
    const result = report.results[0]!;
    const problems = [...result.problems];
    if (result.name && (await this.graphs.find(result.name))?.source === 'api') problems.push(problemAtName(result, apiNameTakenMessage(result.name)));
    const errors = problems.filter((problem) => problem.severity === 'error').length;
    return {
      ok: errors === 0,
      file: path ?? null,
      name: result.name ?? null,
      hash: errors === 0 && result.agent ? hashAgent(result.agent) : null,
      errors,
      warnings: problems.length - errors,
      problems,
    };
  }

  /** Summaries of the stored agents the documents call, and of those they call in turn (one query per level). */
  private async loadCatalog(refs: DocumentReferences, callable: NonNullable<ValidateOptions['callable']>, manager?: EntityManager): Promise<{ catalog: Map<string, AgentSummary>; names: string[] }> {
    const allowed = new Set((await this.lookups.activeGraphs(manager)).filter(callable).map((graph) => graph.id));
    const catalog = new Map<string, AgentSummary>();
    const seen = new Set<string>();
    let frontier = [...refs.calls].filter((name) => allowed.has(name));
    while (frontier.length) {
      for (const name of frontier) seen.add(name);
      const next: string[] = [];
      for (const { id, definition } of await this.lookups.activeDefinitions(frontier, manager)) {
        const summary = summarizeAgent(definition);
        catalog.set(id, summary);
        for (const call of summary.calls) {
          if (allowed.has(call) && !seen.has(call)) {
            seen.add(call);
            next.push(call);
          }
        }
      }
      frontier = next;
    }
    return { catalog, names: [...allowed] };
  }
}

function usableCredentials(credentials: Record<string, ConfigCredential>, asker: CredentialAsker): Record<string, ConfigCredential> {
  return Object.fromEntries(Object.entries(credentials).filter(([, entry]) => mayUseOperatorCredential(entry.allow, asker, false)));
}
