// Every process (api replicas, workers) serves each integration at its newest recorded version, without a
// restart: blocks are rebuilt from the version's stored definition in integration_versions (never from the
// integrations folder or its OpenAPI document, which a worker may not have). Three ways in: at start-up
// (the recorded integrations the folder did not give this process), on each integration_changed event of
// the bus, and, as the safety net for a lost event, on demand when a graph about to run names a block of an
// integration this process does not know, or did not check for gitops.integrations_recheck. A removed integration's blocks
// go; a block no recorded version provides compiles as unavailableBlock, whose node fails with the reason.
// The blocks are operationBlock's, from the recorded integration file: its `allow` and credential rules hold.
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { BlockLookup } from '../blocks/block.types.js';
import { BlocksRegistry } from '../blocks/blocks.registry.js';
import { INTEGRATION_CHANGE_FEED, type IntegrationChangeFeed, type IntegrationChangedEvent } from '../blocks/integrations/integration-changes.types.js';
import { IntegrationAwareRegistry } from '../blocks/integrations/integration-blocks.js';
import { blocksNamed, blocksOfDefinition, unavailableBlock } from '../blocks/integrations/recorded-blocks.js';
import { COMPONENT_LOGGER } from '../common/logger.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { IntegrationBlocksRepository } from './integration-blocks.repository.js';

type Change = Pick<IntegrationChangedEvent['data'], 'name' | 'version' | 'removed'>;

const reasons = {
  noRow: (name: string) =>
    `integration "${name}" has no recorded version in this deployment (integration_versions has no row for it): add integrations/${name}.yaml to the agents folder and sync, then run the agent again`,
  rowMissing: (name: string, version: number) =>
    `integration "${name}" version ${version} is not recorded (its row in integration_versions is missing): sync the agents folder to record the integration again, then run the agent again`,
  noDefinition: (name: string, version: number) =>
    `integration "${name}" version ${version} was recorded without its definition (by an older release), so its blocks cannot be rebuilt: sync the agents folder again, then run the agent again`,
  removed: (name: string, version: number) =>
    `integration "${name}" was removed (version ${version}): restore integrations/${name}.yaml and sync, or change the agent to stop using it`,
  noOperation: (name: string, version: number) =>
    `integration "${name}" (version ${version}) has no such operation (removed from its document or its operations list): change the agent, or restore the operation and sync`,
  broken: (name: string, version: number, error: unknown) =>
    `integration "${name}" version ${version} could not be rebuilt (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): sync the agents folder again`,
};

@Injectable()
export class IntegrationBlocksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly registry: IntegrationAwareRegistry | null;
  /** Integration name -> when its newest version was last read (or heard of). */
  private readonly checked = new Map<string, number>();
  /** Integration name -> why its blocks cannot be had (what an unavailable block's node fails with), while served at `at`. */
  private readonly reasons = new Map<string, { at: number | undefined; text: string }>();
  /** `name@version` -> its load in flight (events, start-up and jobs may ask at once). */
  private readonly loading = new Map<string, Promise<boolean>>();
  /** A graph definition -> the block ids and integration names it uses. */
  private readonly usages = new WeakMap<object, { ids: string[]; names: string[] }>();
  private unsubscribe: (() => void) | undefined;
  /** How long a graph's integrations are taken as current without asking the database again (a lost event's delay). */
  private readonly recheckMs: number;

  constructor(
    private readonly blocks: BlocksRegistry,
    private readonly versions: IntegrationBlocksRepository,
    @Optional() @Inject(INTEGRATION_CHANGE_FEED) private readonly feed: IntegrationChangeFeed | null,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'gitops'>,
  ) {
    this.registry = blocks instanceof IntegrationAwareRegistry ? blocks : null;
    this.recheckMs = config.gitops.integrations_recheck;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.feed?.subscribe((event) => {
      if (event.event === 'integration_changed') void this.follow((event as IntegrationChangedEvent).data);
    });
    try {
      await this.catchUp();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the recorded integrations at start-up; each is loaded when a job names one of its blocks');
    }
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Calls `listener` after each change of the integrations' blocks. */
  onChange(listener: () => void): () => void {
    return this.registry?.onChange(listener) ?? (() => undefined);
  }

  /** After a sync of this process committed: every process (this one too) hears each recorded change. */
  async announce(changes: readonly Change[]): Promise<void> {
    for (const { name, version, removed } of changes) await this.feed?.publish({ event: 'integration_changed', data: { name, version, removed } });
  }

  /**
   * The blocks a graph compiles against: its integrations brought to their newest recorded versions first
   * (asked of the database when one of its blocks is unknown here, or after gitops.integrations_recheck), and an
   * unavailableBlock for an integration block no recorded version provides.
   */
  async lookupFor(definition: object): Promise<BlockLookup> {
    const registry = this.registry;
    const { ids, names } = this.usage(definition);
    if (!registry || names.length === 0) return this.blocks;
    const unknown = new Set(ids.filter((id) => !registry.get(id)).map((id) => registry.integrationOf(id)!));
    await this.refresh(names, unknown);
    return { get: (id) => registry.get(id) ?? this.unavailable(registry, id), list: () => registry.list() };
  }

  /**
   * Whether a compiled graph's integrations may have changed unheard: false at once when it uses none or
   * they were checked within gitops.integrations_recheck; else their newest versions are read, and true when one changed.
   */
  outdated(definition: object): false | Promise<boolean> {
    const { names } = this.usage(definition);
    const now = Date.now();
    if (!this.registry || names.every((name) => now - (this.checked.get(name) ?? 0) < this.recheckMs)) return false;
    return this.refresh(names, new Set()).catch((error: unknown) => {
      this.logger.warn({ err: error, integrations: names }, 'could not read the newest integration versions; the blocks held stay until the next look');
      return false;
    });
  }

  /** Start-up: every recorded integration the folder did not give this process (one the folder gave, at its version when unchanged). */
  private async catchUp(): Promise<void> {
    const registry = this.registry;
    if (!registry) return;
    const fromFolder = new Map(registry.catalog.integrations.map((integration) => [integration.file.name, integration.hash]));
    for (const row of (await this.versions.newest(null)).values()) {
      this.checked.set(row.name, Date.now());
      const hash = fromFolder.get(row.name);
      // A removed one has nothing to load: its version is kept, so that an older event cannot bring it back.
      if (hash === undefined && !row.removed) await this.apply(row);
      else if (hash === undefined || (hash === row.hash && !row.removed))
        registry.versions.set(row.name, Math.max(row.version, registry.versions.get(row.name) ?? 0));
    }
  }

  private async follow(change: Change): Promise<void> {
    this.checked.set(change.name, Date.now());
    try {
      await this.apply(change);
    } catch (error) {
      this.checked.delete(change.name);
      this.logger.warn(
        { err: error, integration: change.name, version: change.version },
        'could not load a changed integration; the next job naming it loads it',
      );
    }
  }

  /** Reads the newest versions of `names` due for a look (all of `force`); true when the blocks changed. */
  private async refresh(names: readonly string[], force: ReadonlySet<string>): Promise<boolean> {
    const now = Date.now();
    const due = names.filter((name) => force.has(name) || now - (this.checked.get(name) ?? 0) >= this.recheckMs);
    if (due.length === 0) return false;
    // Marked before the read: the claims of a burst ask once, not each.
    for (const name of due) this.checked.set(name, now);
    const newest = await this.versions.newest(due);
    let changed = false;
    for (const name of due) {
      const row = newest.get(name);
      if (row) changed = (await this.apply(row)) || changed;
      else if (!this.registry!.versions.has(name)) this.note(name, reasons.noRow(name));
    }
    return changed;
  }

  private apply({ name, version, removed }: Change): Promise<boolean> {
    if ((this.registry!.versions.get(name) ?? 0) >= version) return Promise.resolve(false);
    const key = `${name}@${version}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(name, version, removed).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async load(name: string, version: number, removed: boolean): Promise<boolean> {
    const registry = this.registry!;
    if (removed) {
      const served = registry.serveVersion(name, version, null);
      if (served) this.logger.info({ integration: name, version }, 'integration removed: its blocks are gone');
      return served;
    }
    const definition = await this.versions.definition(name, version);
    if (!definition) {
      const text = definition === undefined ? reasons.rowMissing(name, version) : reasons.noDefinition(name, version);
      this.note(name, text);
      this.logger.warn({ integration: name, version }, text);
      return false;
    }
    try {
      const blocks = blocksOfDefinition(definition);
      const served = registry.serveVersion(name, version, blocks);
      if (served) this.logger.info({ integration: name, version, blocks: blocks.length }, 'integration blocks loaded from its recorded version');
      return served;
    } catch (error) {
      const text = reasons.broken(name, version, error);
      this.note(name, text);
      this.logger.error({ err: error, integration: name, version }, text);
      return false;
    }
  }

  /** Why `name`'s blocks cannot be had, for as long as the registry serves it at the version it is at now. */
  private note(name: string, text: string): void {
    this.reasons.set(name, { at: this.registry!.versions.get(name), text });
  }

  private unavailable(registry: IntegrationAwareRegistry, id: string) {
    const name = registry.integrationOf(id);
    if (!name) return undefined;
    const version = registry.versions.get(name);
    const noted = this.reasons.get(name);
    const reason =
      noted && noted.at === version
        ? noted.text
        : version === undefined
          ? reasons.noRow(name)
          : registry.integrationBlocks.some((block) => registry.integrationOf(block.id) === name)
            ? reasons.noOperation(name, version)
            : reasons.removed(name, version);
    return unavailableBlock(id, `Block "${id}" cannot run: ${reason}.`);
  }

  private usage(definition: object): { ids: string[]; names: string[] } {
    let usage = this.usages.get(definition);
    if (!usage) {
      const ids = this.registry ? [...blocksNamed(definition)].filter((id) => this.registry!.integrationOf(id)) : [];
      usage = { ids, names: [...new Set(ids.map((id) => this.registry!.integrationOf(id)!))] };
      this.usages.set(definition, usage);
    }
    return usage;
  }
}
