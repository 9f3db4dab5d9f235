import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics the spec names. Modules record into these;
 * `/metrics` renders them. One registry per app instance, so tests with several apps don't collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'trellis_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly executions = new Counter({
    name: 'trellis_executions_total',
    help: 'Executions that reached a final status, by agent and status',
    labelNames: ['agent', 'status'] as const,
    registers: [this.registry],
  });

  readonly executionDuration = new Histogram({
    name: 'trellis_execution_duration_seconds',
    help: 'Execution wall time from start to final status, by agent',
    labelNames: ['agent'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [this.registry],
  });

  readonly nodeDuration = new Histogram({
    name: 'trellis_node_duration_seconds',
    help: 'Node attempt duration, by block and outcome',
    labelNames: ['block', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'trellis_queue_depth',
    help: 'Jobs waiting in each queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly webhookRequests = new Counter({
    name: 'trellis_webhook_requests_total',
    help: 'Webhook requests, by kind (webhook, github) and answer status',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  readonly creditsSpent = new Counter({
    name: 'trellis_credits_spent_total',
    help: 'Credits charged for node attempts, by block',
    labelNames: ['block'] as const,
    registers: [this.registry],
  });

  /** Refreshed just before each scrape by whoever owns the figure (e.g. queue depth). */
  private readonly collectors: Array<() => Promise<void>> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'trellis_' });
  }

  onScrape(collector: () => Promise<void>): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((collect) => collect()));
    return this.registry.metrics();
  }
}
