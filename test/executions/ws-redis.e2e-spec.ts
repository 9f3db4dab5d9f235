// GET /ws across processes: two api apps on one database and one Redis prefix; events published in one
// reach clients of the other, in order, filtered the same way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisEventBus } from '../../src/executions/events/redis-event-bus.js';
import { makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { clearQueuePrefix, testQueuePrefix } from '../helpers/queue.js';
import { createWsApp, executionEvent, insertExecution, insertGraph, isEvent, nodeEvent, WsClient, type WsApp } from './ws-helpers.js';

describe('WebSocket /ws (Redis events, two api processes)', () => {
  const prefix = testQueuePrefix('wsredis');
  let db: TestDatabase;
  let one: WsApp;
  let two: WsApp;
  let ada: MadeUser;
  let bob: MadeUser;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('wsredis');
    one = await createWsApp(db, prefix);
    two = await createWsApp(db, prefix);
    ada = await makeUser(one, 'ada');
    bob = await makeUser(one, 'bob');
    await insertGraph(one.dataSource, 'shared-agent', null);
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await one?.close();
    await two?.close();
    await db?.drop();
    await clearQueuePrefix(prefix);
  });

  it('uses the Redis bus when REDIS_URL is set', () => {
    expect(one.bus).toBeInstanceOf(RedisEventBus);
    expect(two.bus).toBeInstanceOf(RedisEventBus);
  });

  it('carries events published in one process to a client of the other, in order', async () => {
    const run = await insertExecution(one.dataSource, 'shared-agent', ada.user.id);
    const client = await WsClient.open(`${two.wsUrl}?token=${ada.key}`);
    clients.push(client);
    await client.one(isEvent('authenticated'));
    client.send({ action: 'subscribe', execution_id: run });
    expect(await client.one(isEvent('graph_execution_update'))).toMatchObject({ data: { execution_id: run, status: 'QUEUED' } });

    await one.bus.publish(executionEvent(run, 'shared-agent', ada.user.id, { status: 'RUNNING' }));
    const nodes = Array.from({ length: 100 }, (_, i) => nodeEvent(run, 'shared-agent', ada.user.id, { node_id: 'p', n: i }));
    await Promise.all(nodes.map((event) => one.bus.publish(event)));
    await one.bus.publish(executionEvent(run, 'shared-agent', ada.user.id, { status: 'COMPLETED' }));
    await client.one(isEvent('graph_execution_update', 'status', 'COMPLETED'), 'the final event from the other process');
    const seen = client.messages.filter((m) => m.event === 'graph_execution_update' || m.event === 'node_execution_update').slice(1);
    expect(seen.map((m) => (m.event === 'graph_execution_update' ? m.data.status : m.data.n))).toEqual(['RUNNING', ...nodes.map((e) => e.data.n), 'COMPLETED']);
  });

  it("filters across processes too: a graph subscriber never sees another user's executions or notifications", async () => {
    const client = await WsClient.open(one.wsUrl);
    clients.push(client);
    await client.auth(bob.key);
    client.send({ action: 'subscribe', graph_id: 'shared-agent' });
    await client.one(isEvent('subscribed'));
    await two.bus.publish(executionEvent('e-ada', 'shared-agent', ada.user.id, { status: 'RUNNING' }));
    await two.bus.publish({ event: 'notification', data: { id: 'n-ada', user_id: ada.user.id } });
    await two.bus.publish({ event: 'notification', data: { id: 'n-bob', user_id: bob.user.id } });
    await two.bus.publish(executionEvent('e-bob', 'shared-agent', bob.user.id, { status: 'RUNNING' }));
    await client.one(isEvent('graph_execution_update', 'execution_id', 'e-bob'));
    expect(
      client.messages.filter((m) => m.event === 'graph_execution_update' || m.event === 'notification').map((m) => m.data.execution_id ?? m.data.id),
    ).toEqual(['n-bob', 'e-bob']);
  });
});
