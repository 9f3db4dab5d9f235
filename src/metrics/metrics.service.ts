import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sandboxStats } from '../sandbox/sandbox.js';

/**
 * The process's Prometheus registry and the metrics the spec names. Modules record into these;
 * `/metrics` renders them. One registry per app instance, so tests with several apps don't collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  // Each metric registers into this instance's registry, never prom-client's global one.
  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  readonly httpRequests = this.counter('trellis_http_requests_total', 'HTTP requests answered, by method, route and status', ['method', 'route', 'status']);

  readonly executions = this.counter('trellis_executions_total', 'Executions that reached a final status, by agent and status', ['agent', 'status']);

  readonly executionDuration = this.histogram(
    'trellis_execution_duration_seconds',
    'Execution wall time from start to final status, by agent',
    ['agent'],
    [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
  );

  readonly nodeDuration = this.histogram(
    'trellis_node_duration_seconds',
    'Node attempt duration, by block and outcome',
    ['block', 'status'],
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300],
  );

  readonly queueDepth = this.gauge('trellis_queue_depth', 'Jobs waiting in each queue', ['queue']);

  readonly webhookRequests = this.counter('trellis_webhook_requests_total', 'Webhook requests, by kind (webhook, github) and answer status', [
    'kind',
    'status',
  ]);

  readonly creditsSpent = this.counter('trellis_credits_spent_total', 'Credits charged for node attempts, by block', ['block']);

  // Release 2 (release-2.md section 8). Labels are bounded sets: never review ids, event keys or user ids.
  readonly reviewsPending = this.gauge('trellis_reviews_pending', 'Reviews waiting for a decision (of executions still running)', []);

  readonly waitEvents = this.counter(
    'trellis_wait_events_total',
    'Events posted to wait.event nodes, by outcome: accepted (handed to a waiting execution), buffered (kept for a later waiter), duplicate (a resent Idempotency-Key), refused',
    ['outcome'],
  );

  readonly sandboxQueueDepth = this.gauge('trellis_sandbox_queue_depth', 'Sandbox tasks (code and expressions) waiting for a sandbox worker', []);

  readonly sandboxTimeouts = this.counter('trellis_sandbox_timeouts_total', 'Sandbox tasks stopped at their time limit', []);

  readonly agentModelCalls = this.counter('trellis_ai_agent_model_calls_total', 'Model calls made by ai.agent nodes, by model', ['model']);

  readonly agentTokens = this.counter('trellis_ai_agent_tokens_total', 'Tokens of ai.agent model calls, by model and kind (input, output)', ['model', 'kind']);

  readonly agentToolCalls = this.counter('trellis_ai_agent_tool_calls_total', 'Tool calls of ai.agent nodes, by kind (block, agent) and outcome (ok, error)', [
    'kind',
    'outcome',
  ]);

  readonly outboundRefusals = this.counter(
    'trellis_outbound_refusals_total',
    'Outbound requests refused before they left, by reason (private_address, bad_url, credential_host, tool_host)',
    ['reason'],
  );

  /** Refreshed just before each scrape by whoever owns the figure (e.g. queue depth). */
  private readonly collectors: Array<() => Promise<void>> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'trellis_' });
    // The sandbox pools are the process's own (sandbox/sandbox.ts): read at scrape time.
    let timeoutsSeen = 0;
    this.onScrape(() => {
      const stats = sandboxStats();
      this.sandboxQueueDepth.set(stats.queued);
      if (stats.timeouts > timeoutsSeen) this.sandboxTimeouts.inc(stats.timeouts - timeoutsSeen);
      timeoutsSeen = stats.timeouts;
      return Promise.resolve();
    });
  }

  onScrape(collector: () => Promise<void>): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((collect) => collect()));
    return this.registry.metrics();
  }
}
