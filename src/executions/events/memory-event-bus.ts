// The in-process EventBus (REDIS_URL unset: one process does everything). Listeners are called
// synchronously in publish order, so order per execution holds trivially.
import type { Logger } from 'pino';
import type { BusEvent, EventBus } from './execution-events.js';

export class MemoryEventBus implements EventBus {
  private readonly listeners = new Set<(event: BusEvent) => void>();

  constructor(private readonly logger?: Logger) {}

  publish(event: BusEvent): Promise<void> {
    deliver(this.listeners, event, this.logger);
    return Promise.resolve();
  }

  publishAll(events: BusEvent[]): Promise<void> {
    for (const event of events) deliver(this.listeners, event, this.logger);
    return Promise.resolve();
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}

/** Calls every listener; one that throws is logged and does not stop the others. */
export function deliver(listeners: Iterable<(event: BusEvent) => void>, event: BusEvent, logger?: Logger): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      logger?.error({ err: error, event: event.event }, 'an execution event listener failed; the others still got the event');
    }
  }
}
