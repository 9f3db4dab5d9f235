// The worker role in Nest: starts the ExecutionWorker after bootstrap, publishes its steps on the event
// bus, records metrics, runs the sweep, and shuts down gracefully before the app closes (retention is
// execution-retention.service.ts).
import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { blockSettings } from '../../blocks/block-context.js';
import type { AgentMetricsPort } from '../../blocks/block.types.js';
import { listedModel } from '../../blocks/library/ai/llm-cost.js';
import { BlocksRegistry } from '../../blocks/blocks.registry.js';
import { AgentConversationsRepository } from './agent-conversations.repository.js';
import { withStepEvents } from './agent-step-events.js';
import { CREDENTIAL_RESOLVER, type CredentialResolver } from '../../blocks/credential-resolver.js';
import { OutboundHttp } from '../../blocks/outbound/outbound-http.js';
import { COMPONENT_LOGGER } from '../../common/logger.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { EVENT_BUS, type BusEvent, type EventBus } from '../events/execution-events.js';
import {
  EXECUTION_CHARGE_HOOK,
  EXECUTION_FINISHED_HOOK,
  noCharge,
  noFinishedHook,
  type ExecutionChargeHook,
  type ExecutionFinishedHook,
} from '../execution.hooks.js';
import { ExecutionAdmission } from '../admission/execution-admission.service.js';
import { CompiledGraphs } from '../compiled-graphs.js';
import { ExecutionsRepository } from '../executions.repository.js';
import { nodeExecutionView } from '../executions.views.js';
import { EXECUTION_DISPATCHER, type ExecutionDispatcher } from '../queue/execution-dispatcher.js';
import { LocalHandoff } from '../queue/local-handoff.js';
import { OUTSIDE_WAITS, type OutsideWaits } from '../outside-waits.types.js';
import { TickBatcher } from '../tick-batcher.js';
import { ExecutionFinish } from './execution-finish.js';
import { ExecutionStoreRepository } from './execution-store.repository.js';
import { ExecutionWorker } from './execution-worker.js';
import { mayRunBeforeItsRow } from './early-attempts.js';

const SWEEP_LOCK = 7_412_300_201;

@Injectable()
export class ExecutionWorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly worker: ExecutionWorker;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** executor.sweep_interval: how often the sweep runs, and how old a QUEUED execution is before it counts as lost. */
  private readonly sweepMs: number;
  /** The sweep running now: a shutdown waits for it before the database closes under it. */
  private sweeping: Promise<void> | null = null;
  private unsubscribe: (() => void) | undefined;
  private unregisterLocal: (() => void) | undefined;
  /** Events of the steps written in this turn of the event loop: published as one message. */
  private outbox: BusEvent[] = [];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    store: ExecutionStoreRepository,
    private readonly executions: ExecutionsRepository,
    @Inject(EXECUTION_DISPATCHER) private readonly dispatcher: ExecutionDispatcher,
    registry: BlocksRegistry,
    @Inject(CREDENTIAL_RESOLVER) resolver: CredentialResolver,
    metrics: MetricsService,
    @Inject(COMPONENT_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(EVENT_BUS) private readonly bus: EventBus | null,
    @Optional() @Inject(EXECUTION_CHARGE_HOOK) charge: ExecutionChargeHook | null,
    @Optional() @Inject(EXECUTION_FINISHED_HOOK) finishedHook: ExecutionFinishedHook | null,
    private readonly local: LocalHandoff,
    admission: ExecutionAdmission,
    graphs: CompiledGraphs,
    conversations: AgentConversationsRepository,
    @Optional() @Inject(OUTSIDE_WAITS) outside: OutsideWaits | null,
  ) {
    this.sweepMs = config.executor.sweep_interval;
    const settings = blockSettings(config);
    const http = OutboundHttp.fromSettings(settings, { onRefused: (reason) => metrics.outboundRefusals.inc({ reason }) });
    // Executions that end in the same turn (one group commit) cancel their pending reviews in one statement.
    const ended = outside ? new TickBatcher<string, never>(async (ids) => (await outside.executionsEnded(ids), new Map<string, never>())) : null;
    const finish = new ExecutionFinish({
      dispatch: (id) => dispatcher.dispatch(id),
      nextQueued: (graphId) => executions.nextQueued(graphId),
      // Whether the agent limits its executions (`concurrency`): only then may a finish let a QUEUED one start. Unknown: yes.
      limitsConcurrency: (graphId, version) => {
        const graph = graphs.peek(graphId, version);
        return graph === undefined || graph.definition.concurrency !== undefined;
      },
      hook: finishedHook ?? noFinishedHook,
      counted: (agent, status) => metrics.executions.inc({ agent, status }),
      logger,
    });
    this.worker = new ExecutionWorker(
      { ...config.executor, max_json_depth: config.limits.max_json_depth, var_overrides: config.vars },
      store,
      dispatcher,
      { graphs, admission, blocks: registry },
      {
        blocks: registry,
        resolver,
        conversations: withStepEvents(conversations, (events) => this.queueEvents(events)),
        charge: charge ?? noCharge,
        http: (signal) => http.client(signal),
        agentMetrics: agentMetrics(metrics, config.costs.models),
        settings,
        logger,
        cancelExecutions: async (ids) => void (await executions.cancel(ids)),
        announce: (execution, runs, status) => {
          if (!this.bus) return;
          const base = { execution_id: execution.id, graph_id: execution.graph_id, user_id: execution.user_id };
          const events: BusEvent[] = runs.map((run) => ({ event: 'node_execution_update', data: { ...base, ...nodeExecutionView(run) } }));
          if (status)
            events.push({
              event: 'graph_execution_update',
              data: { ...base, id: execution.id, graph_version: execution.graph_version, parent_id: execution.parent_id, ...status },
            });
          this.queueEvents(events);
        },
        // A block config/costs.yaml prices is charged per attempt: its attempt waits for its row (early-attempts.ts).
        runsEarly: (block) => mayRunBeforeItsRow(block) && registry.costOf(block) === 0,
        attemptEnded: (block, ok, seconds) => metrics.nodeDuration.observe({ block, status: ok ? 'ok' : 'failed' }, seconds),
        outside,
        finished: (written, execution, error, outputs) => {
          finish.finished(written, error, outputs);
          // Its pending reviews are cancelled and its event waits stop (readers treat them so meanwhile); an instant graph opens none.
          const graph = graphs.peek(execution.graph_id, execution.graph_version);
          if (graph && this.worker.admissionClaims.qualifies(graph)) return;
          void ended
            ?.get(execution.id)
            .catch((error: unknown) => logger.warn({ err: error, execution_id: execution.id }, 'could not cancel the pending reviews of an ended execution'));
        },
      },
      logger,
    );
    metrics.onScrape(async () => metrics.queueDepth.set({ queue: 'executions' }, await dispatcher.depth()));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.bus?.subscribe((event) => {
      if (event.event === 'graph_execution_update' && event.data.status === 'CANCELLED') this.worker.stopped(event.data.execution_id);
    });
    await this.worker.start();
    this.unregisterLocal = this.local.register(
      (id) => this.worker.take(id),
      (graph) => this.worker.claimAtAdmission(graph),
    );
    this.sweepTimer = setInterval(() => void this.sweep(), this.sweepMs);
    void this.sweep();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.sweeping;
    this.unsubscribe?.();
    this.unregisterLocal?.();
    await this.worker.shutdown();
    this.publishOutbox();
  }

  /** Queues events for the outbox (published on the next turn of the event loop, in order). */
  private queueEvents(events: BusEvent[]): void {
    if (!this.bus) return;
    if (this.outbox.length === 0) setImmediate(() => this.publishOutbox());
    this.outbox.push(...events);
  }

  /** Steps written together (one group commit) are announced together: one Redis message, in order. */
  private publishOutbox(): void {
    if (this.outbox.length === 0 || !this.bus) return;
    const events = this.outbox;
    this.outbox = [];
    void this.bus.publishAll(events);
  }

  /** Dispatches again what a lost dispatch, a dead worker or a given-back wait left behind (one process at a time). */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    try {
      await this.executions.exclusively(SWEEP_LOCK, async () => {
        const ids = await this.executions.needingDispatch(this.sweepMs, 500);
        for (const id of ids) await this.dispatcher.dispatch(id);
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'the execution sweep failed; it runs again shortly');
    }
  }
}

/**
 * ai.agent's model calls, tokens, tool calls and tool host refusals, into the process's metrics. A model is a
 * label only when config/costs.yaml lists it (snapshots count as their model); any other name, which a user
 * chooses freely, counts as `other`, so users cannot grow the metrics without bound or show their names there.
 */
function agentMetrics(metrics: MetricsService, models: Record<string, number>): AgentMetricsPort {
  return {
    modelCall: (name, usage) => {
      const model = listedModel(name, models) ?? 'other';
      metrics.agentModelCalls.inc({ model });
      metrics.agentTokens.inc({ model, kind: 'input' }, usage.input_tokens);
      metrics.agentTokens.inc({ model, kind: 'output' }, usage.output_tokens);
    },
    toolCall: (kind, ok) => metrics.agentToolCalls.inc({ kind, outcome: ok ? 'ok' : 'error' }),
    toolHostRefused: () => metrics.outboundRefusals.inc({ reason: 'tool_host' }),
  };
}
