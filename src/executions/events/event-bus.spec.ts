import { afterAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createRedis } from '../../common/redis.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from '../../../test/helpers/queue.js';
import { waitFor } from '../../../test/helpers/wait.js';
import type { BusEvent } from './execution-events.js';
import { MemoryEventBus } from './memory-event-bus.js';
import { eventChannel, RedisEventBus } from './redis-event-bus.js';

const logger = pino({ level: 'silent' });
const nodeEvent = (n: number, execution = 'e1'): BusEvent => ({ event: 'node_execution_update', data: { execution_id: execution, graph_id: 'g', user_id: 'u', n } });

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

describe('RedisEventBus', () => {
  const prefix = testQueuePrefix('bus');
  const connections: ReturnType<typeof createRedis>[] = [];
  const connect = () => {
    const redis = createRedis(TEST_REDIS_URL);
    connections.push(redis);
    return redis;
  };
  const makeBus = async (channelPrefix = prefix) => {
    const bus = new RedisEventBus(connect(), connect(), eventChannel(channelPrefix), logger);
    await bus.ready();
    return bus;
  };
  afterAll(async () => {
    await Promise.all(connections.map((redis) => (redis.status === 'end' ? undefined : redis.quit().catch(() => redis.disconnect()))));
    await clearQueuePrefix(prefix);
  });

  it('carries events from one process to another in publish order, and to the publisher itself', async () => {
    const publisher = await makeBus();
    const receiver = await makeBus();
    const elsewhere = await makeBus(testQueuePrefix('other'));
    const received: unknown[] = [];
    const echoed: unknown[] = [];
    const foreign: unknown[] = [];
    receiver.subscribe((e) => received.push(e.data.n));
    publisher.subscribe((e) => echoed.push(e.data.n));
    elsewhere.subscribe((e) => foreign.push(e.data.n));
    const sent = Array.from({ length: 200 }, (_, i) => i);
    // Not awaited one by one: the order must hold even when the shell fires them off back to back.
    await Promise.all(sent.map((n) => publisher.publish(nodeEvent(n))));
    await waitFor(() => received.length, (n) => n === sent.length, { what: 'every event at the receiver' });
    await waitFor(() => echoed.length, (n) => n === sent.length, { what: 'every event back at the publisher' });
    expect(received).toEqual(sent);
    expect(echoed).toEqual(sent);
    expect(foreign).toEqual([]);
    await Promise.all([publisher.close(), receiver.close(), elsewhere.close()]);
  });

  it('delivers a group published at once one event at a time, in order, between single events', async () => {
    const publisher = await makeBus();
    const receiver = await makeBus();
    const received: unknown[] = [];
    receiver.subscribe((e) => received.push(e.data.n));
    await publisher.publish(nodeEvent(0));
    await publisher.publishAll([nodeEvent(1), nodeEvent(2), nodeEvent(3)]);
    await publisher.publishAll([]);
    await publisher.publishAll([nodeEvent(4)]);
    await waitFor(() => received.length, (n) => n === 5, { what: 'every event at the receiver' });
    expect(received).toEqual([0, 1, 2, 3, 4]);
    await Promise.all([publisher.close(), receiver.close()]);
  });

  it('keeps the full event shape, notifications included', async () => {
    const publisher = await makeBus();
    const received: BusEvent[] = [];
    publisher.subscribe((e) => received.push(e));
    const notification: BusEvent = { event: 'notification', data: { id: 'n1', user_id: 'u1', kind: 'SYSTEM', title: 'hello' } };
    await publisher.publish(notification);
    await waitFor(() => received.length, (n) => n === 1);
    expect(received).toEqual([notification]);
    await publisher.close();
  });

  it('never throws from publish: a closed publisher connection is logged and skipped', async () => {
    const dead = connect();
    dead.disconnect();
    const bus = new RedisEventBus(dead, connect(), eventChannel(prefix), logger);
    await bus.ready();
    await expect(bus.publish(nodeEvent(1))).resolves.toBeUndefined();
    const cyclic: Record<string, unknown> = { execution_id: 'e', graph_id: 'g', user_id: 'u' };
    cyclic.self = cyclic;
    await expect(bus.publish({ event: 'graph_execution_update', data: cyclic as BusEvent['data'] & { execution_id: string; graph_id: string } })).resolves.toBeUndefined();
    await bus.close();
    await expect(bus.publish(nodeEvent(2))).resolves.toBeUndefined();
  });
});
