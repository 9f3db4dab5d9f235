// MemoryEventBus: the in-process EventBus (no services). The Redis one: test/executions/redis-event-bus.e2e-spec.ts.
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { BusEvent } from './execution-events.js';
import { MemoryEventBus } from './memory-event-bus.js';

const logger = pino({ level: 'silent' });
const nodeEvent = (n: number, execution = 'e1'): BusEvent => ({
  event: 'node_execution_update',
  data: { execution_id: execution, graph_id: 'g', user_id: 'u', n },
});

describe('MemoryEventBus', () => {
  it('delivers in publish order to every listener until it unsubscribes', async () => {
    const bus = new MemoryEventBus(logger);
    const first: unknown[] = [];
    const second: unknown[] = [];
    bus.subscribe((e) => first.push(e.data.n));
    const stop = bus.subscribe((e) => second.push(e.data.n));
    await bus.publish(nodeEvent(1));
    await bus.publish(nodeEvent(2));
    stop();
    await bus.publish(nodeEvent(3));
    expect(first).toEqual([1, 2, 3]);
    expect(second).toEqual([1, 2]);
  });

  it('delivers a group of events in order, each on its own', async () => {
    const bus = new MemoryEventBus(logger);
    const seen: unknown[] = [];
    bus.subscribe((e) => seen.push(e.data.n));
    await bus.publishAll([nodeEvent(1), nodeEvent(2)]);
    await bus.publishAll([]);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps delivering when a listener throws, and publish never throws', async () => {
    const bus = new MemoryEventBus(logger);
    const seen: unknown[] = [];
    bus.subscribe(() => {
      throw new Error('listener bug');
    });
    bus.subscribe((e) => seen.push(e.data.n));
    await expect(bus.publish(nodeEvent(1))).resolves.toBeUndefined();
    expect(seen).toEqual([1]);
    await bus.close();
    await bus.publish(nodeEvent(2));
    expect(seen).toEqual([1]);
  });
});
