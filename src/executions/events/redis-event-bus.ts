// The EventBus across processes: Redis pub/sub on one channel under the queue prefix. Publishing goes
// through one connection, which keeps publish order, and every process (the publisher included) hears
// events from its own subscriber connection, so all listeners see one order per execution.
import type { Redis } from 'ioredis';
import { isRedisLost } from '../../common/redis.js';
import type { Logger } from 'pino';
import { deliver } from './memory-event-bus.js';
import type { BusEvent, EventBus } from './execution-events.js';

/**
 * How long publish() waits for Redis before it logs and moves on (the command stays queued, in order).
 * While the connection is lost, publish() does not wait at all: the event is dropped (logged once per
 * outage), so neither the callers nor ioredis's offline queue grow with the outage.
 */
const PUBLISH_WAIT_MS = 2_000;

export function eventChannel(queuePrefix: string): string {
  return `${queuePrefix}:execution-events`;
}

export class RedisEventBus implements EventBus {
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly subscribed: Promise<void>;
  private closed = false;
  /** Set while the publisher connection is lost (one log line per outage). */
  private droppingSince: number | null = null;

  /**
   * @param publisher a connection that may be shared (commands keep their order on it)
   * @param subscriber a dedicated connection: once subscribed it can run nothing else; the bus owns it
   */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    this.subscriber.on('error', (error: Error) =>
      this.logger.warn({ err: error }, 'execution events: the Redis subscriber connection failed; it reconnects and resubscribes'),
    );
    this.subscribed = this.subscriber.subscribe(this.channel).then(() => undefined);
  }

  /** Resolves once this process hears the channel (events published before that are not seen here). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  publish(event: BusEvent): Promise<void> {
    return this.send(event, event.event);
  }

  /** One message (a JSON array) for many events: one Redis command and one parse per subscriber. */
  publishAll(events: BusEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return events.length === 1 ? this.send(events[0]!, events[0]!.event) : this.send(events, events[0]!.event);
  }

  private async send(payload: BusEvent | BusEvent[], label: string): Promise<void> {
    if (this.closed) return;
    let message: string;
    try {
      message = JSON.stringify(payload);
    } catch (error) {
      this.logger.error({ err: error, event: label }, 'execution events: an event could not be serialised and was dropped');
      return;
    }
    if (isRedisLost(this.publisher)) {
      if (this.droppingSince === null) {
        this.droppingSince = Date.now();
        this.logger.warn(
          { event: label, connection: this.publisher.status },
          'execution events: Redis is unreachable; events are dropped until it is back (WebSocket clients re-read state on subscribe)',
        );
      }
      return;
    }
    this.droppingSince = null;
    let timer: NodeJS.Timeout | undefined;
    const sent = this.publisher.publish(this.channel, message).then(
      () => true,
      (error: unknown) => {
        this.logger.warn(
          { err: error, event: label },
          'execution events: publishing to Redis failed; the event was lost (WebSocket clients re-read state on subscribe)',
        );
        return true;
      },
    );
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PUBLISH_WAIT_MS)));
    const done = await Promise.race([sent, waited]);
    clearTimeout(timer);
    if (!done)
      this.logger.warn(
        { event: label },
        `execution events: Redis did not accept an event within ${PUBLISH_WAIT_MS} ms; it stays queued and goes out when Redis is back`,
      );
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    try {
      await this.subscriber.quit();
    } catch {
      this.subscriber.disconnect();
    }
  }

  private receive(message: string): void {
    let parsed: BusEvent | BusEvent[];
    try {
      parsed = JSON.parse(message) as BusEvent | BusEvent[];
    } catch (error) {
      this.logger.warn({ err: error }, 'execution events: a message on the channel is not JSON; ignored');
      return;
    }
    if (Array.isArray(parsed)) for (const event of parsed) deliver(this.listeners, event, this.logger);
    else deliver(this.listeners, parsed, this.logger);
  }
}
