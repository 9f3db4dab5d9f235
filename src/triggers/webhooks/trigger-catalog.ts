// The active webhook and GitHub trigger nodes, held in memory so the hot path reads no table to find
// them. Reloaded when a graph's activation changes in this process (sync, the graphs API) and at most
// `TTL_MS` after a change made by another api process.
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { GraphActivations } from '../../graphs/graph-activations.js';
import { GraphsRepository, type ActiveTrigger } from '../../graphs/graphs.repository.js';
import { UsersRepository } from '../../users/users.repository.js';
import { ADMIN_HANDLE } from '../../users/users.service.js';

/** How long a loaded catalog serves before it is read again (changes made by other processes). */
const TTL_MS = 5_000;

export interface WebhookTrigger {
  graph_id: string;
  version: number;
  node_id: string;
  methods: readonly string[];
  /** The credential name of the node's `secret` field, when it has one. */
  secret: string | null;
  /** The user billed: the graph's owner, else the built-in admin. */
  user_id: string;
  /** A file agent's trigger: its `secret` name comes from the reviewed file (file trust). */
  file: boolean;
  /** `by_output`: the request waits for the first `http_response` value (release-2.md section 3). */
  respond: 'at_accept' | 'by_output';
}

export interface GithubTrigger {
  graph_id: string;
  version: number;
  node_id: string;
  events: readonly string[];
  repository?: string;
  user_id: string;
}

interface Catalog {
  webhooks: Map<string, WebhookTrigger>;
  github: GithubTrigger[];
  loadedAt: number;
}

@Injectable()
export class TriggerCatalog implements OnModuleDestroy {
  private catalog: Catalog | null = null;
  private loading: Promise<Catalog> | null = null;
  private adminId: Promise<string> | null = null;
  /** Bumped on every invalidation, so a load that started before a change is not kept. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly graphs: GraphsRepository,
    private readonly users: UsersRepository,
    activations: GraphActivations,
  ) {
    this.unsubscribe = activations.subscribe(() => this.invalidate());
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  invalidate(): void {
    this.generation++;
    this.catalog = null;
    // A load already running may have read the old state: callers from now on wait for a new one.
    this.loading = null;
  }

  async webhook(agent: string, node: string): Promise<WebhookTrigger | undefined> {
    return (await this.current()).webhooks.get(`${agent}/${node}`);
  }

  async githubTriggers(): Promise<readonly GithubTrigger[]> {
    return (await this.current()).github;
  }

  /** The built-in admin's id (billed when an agent names no owner); read once per process. */
  private adminUserId(): Promise<string> {
    this.adminId ??= this.users.findByHandle(ADMIN_HANDLE).then((admin) => {
      if (!admin) {
        this.adminId = null;
        throw new Error('the built-in admin user does not exist yet');
      }
      return admin.id;
    });
    return this.adminId;
  }

  private current(): Promise<Catalog> | Catalog {
    const catalog = this.catalog;
    if (catalog && Date.now() - catalog.loadedAt < TTL_MS) return catalog;
    return this.load();
  }

  private load(): Promise<Catalog> {
    if (this.loading) return this.loading;
    const generation = this.generation;
    let loading: Promise<Catalog> | null = null;
    loading = (async () => {
      try {
        const [rows, adminId] = await Promise.all([this.graphs.activeTriggers(), this.adminUserId()]);
        const catalog = buildCatalog(rows, adminId);
        if (generation === this.generation) this.catalog = catalog;
        return catalog;
      } finally {
        if (this.loading === loading) this.loading = null;
      }
    })();
    this.loading = loading;
    return loading;
  }
}

export function buildCatalog(rows: readonly ActiveTrigger[], adminId: string): Catalog {
  const webhooks = new Map<string, WebhookTrigger>();
  const github: GithubTrigger[] = [];
  for (const row of rows) {
    const user_id = row.owner_id ?? adminId;
    if (row.block === 'trigger.webhook') {
      const methods = Array.isArray(row.config.methods) ? row.config.methods.map((m) => String(m).toUpperCase()) : ['POST'];
      webhooks.set(`${row.graph_id}/${row.node_id}`, {
        graph_id: row.graph_id,
        version: row.version,
        node_id: row.node_id,
        methods,
        secret: row.credentials.secret ?? null,
        user_id,
        file: row.source === 'file',
        respond: row.config.respond === 'by_output' ? 'by_output' : 'at_accept',
      });
    } else if (row.block === 'trigger.github') {
      const events = Array.isArray(row.config.events) ? row.config.events.map(String) : [];
      const repository = typeof row.config.repository === 'string' ? row.config.repository : undefined;
      github.push({ graph_id: row.graph_id, version: row.version, node_id: row.node_id, events, ...(repository ? { repository } : {}), user_id });
    }
  }
  return { webhooks, github, loadedAt: Date.now() };
}
