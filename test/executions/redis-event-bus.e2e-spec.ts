// RedisEventBus over the machine's Redis (a queue prefix of its own). The in-process bus: src/executions/events/memory-event-bus.spec.ts.
import { afterAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createRedis } from '../../src/common/redis.js';
import { clearQueuePrefix, TEST_REDIS_URL, testQueuePrefix } from '../helpers/queue.js';
import { waitFor } from '../helpers/wait.js';
import type { BusEvent } from '../../src/executions/events/execution-events.js';
import { eventChannel, RedisEventBus } from '../../src/executions/events/redis-event-bus.js';

const logger = pino({ level: 'silent' });
const nodeEvent = (n: number, execution = 'e1'): BusEvent => ({
  event: 'node_execution_update',
  data: { execution_id: execution, graph_id: 'g', user_id: 'u', n },
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
    await waitFor(
      () => received.length,
      (n) => n === sent.length,
      { what: 'every event at the receiver' },
    );
    await waitFor(
      () => echoed.length,
      (n) => n === sent.length,
      { what: 'every event back at the publisher' },
    );
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
    await waitFor(
      () => received.length,
      (n) => n === 5,
      { what: 'every event at the receiver' },
    );
    expect(received).toEqual([0, 1, 2, 3, 4]);
    await Promise.all([publisher.close(), receiver.close()]);
  });

  it('keeps the full event shape, notifications included', async () => {
    const publisher = await makeBus();
    const received: BusEvent[] = [];
    publisher.subscribe((e) => received.push(e));
    const notification: BusEvent = { event: 'notification', data: { id: 'n1', user_id: 'u1', kind: 'SYSTEM', title: 'hello' } };
    await publisher.publish(notification);
    await waitFor(
      () => received.length,
      (n) => n === 1,
    );
    expect(received).toEqual([notification]);
    await publisher.close();
  });

  it('never throws from publish nor waits for a lost connection: the outage is logged once and its events skipped', async () => {
    const lines: Array<{ level: number; msg: string; event?: string }> = [];
    const recorded = pino({ level: 'trace' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const dead = connect();
    dead.disconnect();
    const bus = new RedisEventBus(dead, connect(), eventChannel(prefix), recorded);
    await bus.ready();
    const listener = await makeBus();
    const heard: BusEvent[] = [];
    listener.subscribe((e) => heard.push(e));
    const started = performance.now();
    await expect(bus.publish(nodeEvent(1))).resolves.toBeUndefined();
    await expect(bus.publish(nodeEvent(4))).resolves.toBeUndefined();
    // A lost connection is not waited for (PUBLISH_WAIT_MS is for a Redis that is slow, not gone).
    expect(performance.now() - started).toBeLessThan(500);
    const cyclic: Record<string, unknown> = { execution_id: 'e', graph_id: 'g', user_id: 'u' };
    cyclic.self = cyclic;
    await expect(
      bus.publish({ event: 'graph_execution_update', data: cyclic as BusEvent['data'] & { execution_id: string; graph_id: string } }),
    ).resolves.toBeUndefined();
    // Logged: one warning for the outage, not one per dropped event (pino level 40), one error for the event that is not JSON (50).
    expect(lines.map((l) => [l.level, l.event, l.msg])).toEqual([
      [40, 'node_execution_update', expect.stringContaining('Redis is unreachable; events are dropped until it is back')],
      [50, 'graph_execution_update', expect.stringContaining('could not be serialised and was dropped')],
    ]);
    // Skipped: neither event reaches a listener on the channel, only an event published after them does.
    await listener.publish(nodeEvent(3));
    await waitFor(
      () => heard.length,
      (n) => n >= 1,
      { what: 'the marker event at the listener' },
    );
    expect(heard).toEqual([nodeEvent(3)]);
    await bus.close();
    await expect(bus.publish(nodeEvent(2))).resolves.toBeUndefined();
    expect(lines).toHaveLength(2);
    await listener.close();
  });
});
