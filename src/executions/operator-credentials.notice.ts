// The upgrade note of release 2, logged once at start-up: operator credentials (config/credentials.yaml
// and the system defaults) that ordinary users can no longer use under their `allow` (by default file
// agents and admins), each with the API graphs that used it in the last 14 days, so the operator can
// add `allow` entries before someone's graph fails.
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { BlockLookup } from '../blocks/block.types.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { mayUseOperatorCredential } from '../blocks/credential-policy.js';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, ConfigCredential } from '../config/config.schema.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { ExecutionsRepository } from './executions.repository.js';

export const NOTICE_DAYS = 14;

export interface RecentApiRun {
  graph_id: string;
  definition: AgentDefinition;
  /** node id -> field -> name, as execute requests gave them. */
  credentials: Record<string, Record<string, string>>;
}

/** Credential name -> API graphs (sorted) that used it, among the credentials ordinary users lost. */
export function lostCredentialUsage(credentials: Record<string, ConfigCredential>, runs: readonly RecentApiRun[], blocks: BlockLookup): Map<string, string[]> {
  const ordinaryUser = { userId: null, handle: null, role: 'user' as const };
  const lost = new Set(
    Object.entries(credentials)
      .filter(([, entry]) => !mayUseOperatorCredential(entry.allow, ordinaryUser, false) && Object.keys(entry.fields).length > 0)
      .map(([name]) => name),
  );
  const usage = new Map<string, Set<string>>();
  const use = (name: string, graph: string) => lost.has(name) && (usage.get(name) ?? usage.set(name, new Set()).get(name)!).add(graph);
  for (const run of runs) {
    for (const [nodeId, node] of Object.entries(run.definition.nodes)) {
      const specs = blocks.get(node.block)?.credentials ?? {};
      const names = { ...node.credentials, ...(run.credentials[nodeId] ?? {}) };
      for (const [field, spec] of Object.entries(specs)) {
        if (names[field] !== undefined) use(names[field], run.graph_id);
        else for (const provider of spec.providers ?? [spec.provider]) use(`default:${provider}`, run.graph_id);
      }
    }
  }
  return new Map([...usage].map(([name, graphs]) => [name, [...graphs].sort()]));
}

@Injectable()
export class OperatorCredentialsNotice implements OnApplicationBootstrap {
  constructor(
    private readonly executions: ExecutionsRepository,
    private readonly blocks: BlocksRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const runs = await this.executions.recentApiRuns(NOTICE_DAYS);
      for (const [credential, graphs] of lostCredentialUsage(this.config.credentials, runs, this.blocks)) {
        this.logger.warn(
          { credential, api_graphs: graphs, days: NOTICE_DAYS },
          `operator credential "${credential}" is no longer usable by ordinary users (allow: file agents and admins by default), ` +
            `but ${graphs.length} API graph(s) used it in the last ${NOTICE_DAYS} days: add allow: { users: [...] } or roles: [user] to it in config/credentials.yaml if they should keep it`,
        );
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not check which operator credentials API graphs used recently (upgrade note skipped)');
    }
  }
}
