// GET /ws with the in-process event bus: authentication, subscriptions, visibility, current state first,
// errors, the grace for unauthenticated sockets and the heartbeat, on a real `ws` client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import WebSocket from 'ws';
import { ADMIN_KEY, makeKey, makeUser, signJwt, type MadeUser } from '../auth/auth-helpers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/wait.js';
import { createWsApp, executionEvent, insertExecution, insertGraph, isEvent, JWT_SECRET, nodeEvent, WsClient, type WsApp } from './ws-helpers.js';

describe('WebSocket /ws (in-process events)', () => {
  let db: TestDatabase;
  let t: WsApp;
  let ada: MadeUser;
  let bob: MadeUser;
  let adaRun: string;
  let bobRun: string;
  const clients: WsClient[] = [];
  const open = async (query = '') => {
    const client = await WsClient.open(t.wsUrl + query);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase('ws');
    t = await createWsApp(db);
    ada = await makeUser(t, 'ada');
    bob = await makeUser(t, 'bob');
    await insertGraph(t.dataSource, 'shared-agent', null);
    await insertGraph(t.dataSource, 'bobs-agent', bob.user.id);
    adaRun = await insertExecution(t.dataSource, 'shared-agent', ada.user.id);
    bobRun = await insertExecution(t.dataSource, 'shared-agent', bob.user.id);
    await t.dataSource.query(`UPDATE executions SET status = 'RUNNING' WHERE id = $1`, [adaRun]);
    await t.dataSource.query(
      `INSERT INTO node_executions (execution_id, node_id, block, status, inputs, outputs) VALUES ($1, 'x', 'input', 'COMPLETED', '{"value": 1}', '{"value": [1]}'), ($1, 'p', 'json.query', 'RUNNING', '{}', '{}')`,
      [adaRun],
    );
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await t?.close();
    await db?.drop();
  });

  it('authenticates by the first message, sends the current state on subscribe, then every event in order', async () => {
    const client = await open();
    expect(await client.auth(ada.key)).toEqual({ event: 'authenticated', data: { user_id: ada.user.id, handle: 'ada', role: 'user' } });
    client.send({ action: 'subscribe', execution_id: adaRun });
    const [, subscribed, state, ...nodes] = await client.next(() => true, 5, 'the state after subscribe');
    expect(subscribed).toEqual({ event: 'subscribed', data: { execution_id: adaRun } });
    expect(state).toMatchObject({
      event: 'graph_execution_update',
      data: {
        execution_id: adaRun,
        id: adaRun,
        graph_id: 'shared-agent',
        graph_version: 1,
        status: 'RUNNING',
        source: 'api',
        user_id: ada.user.id,
        inputs: { x: 1 },
        outputs: null,
        error: null,
        cost: 0,
        ended_at: null,
      },
    });
    expect(typeof state!.data.started_at).toBe('string');
    expect(nodes.map((n) => [n.event, n.data.node_id, n.data.status, n.data.execution_id])).toEqual([
      ['node_execution_update', 'x', 'COMPLETED', adaRun],
      ['node_execution_update', 'p', 'RUNNING', adaRun],
    ]);
    expect(nodes[0]!.data).toMatchObject({ block: 'input', inputs: { value: 1 }, outputs: { value: [1] }, error: null, attempts: [] });

    const sent = Array.from({ length: 50 }, (_, i) => nodeEvent(adaRun, 'shared-agent', ada.user.id, { node_id: 'p', n: i }));
    for (const event of sent) await t.bus.publish(event);
    await t.bus.publish(executionEvent(adaRun, 'shared-agent', ada.user.id, { status: 'COMPLETED' }));
    const final = await client.one(isEvent('graph_execution_update', 'status', 'COMPLETED'), 'the final event');
    expect(final.data).toMatchObject({ execution_id: adaRun, status: 'COMPLETED' });
    expect(client.messages.filter((m) => m.data.n !== undefined).map((m) => m.data.n)).toEqual(sent.map((e) => e.data.n));
  });

  it('authenticates by ?token= with a JWT, and takes a later auth message too', async () => {
    const jwt = signJwt({ sub: ada.user.id }, { alg: 'HS256', secret: JWT_SECRET });
    const client = await open(`?token=${encodeURIComponent(jwt)}`);
    expect(await client.one(isEvent('authenticated'))).toMatchObject({ data: { user_id: ada.user.id } });
    client.send({ action: 'subscribe', execution_id: adaRun });
    expect(await client.one(isEvent('graph_execution_update'))).toMatchObject({ data: { execution_id: adaRun, user_id: ada.user.id } });
  });

  it('closes a socket whose ?token= is wrong, saying why', async () => {
    const client = await open('?token=trl_not-a-real-key');
    const error = await client.one(isEvent('error'));
    expect(error.data.code).toBe('UNAUTHENTICATED');
    expect(error.data.message).toMatch(/token/);
    expect(await client.waitClosed()).toEqual({ code: 1008, reason: 'authentication failed' });
  });

  it("refuses another user's execution as not found and never leaks its events; an admin sees both", async () => {
    const client = await open();
    await client.auth(ada.key);
    client.send({ action: 'subscribe', execution_id: bobRun });
    const refused = await client.one(isEvent('error'));
    expect(refused.data).toEqual({
      code: 'NOT_FOUND',
      message: `No execution "${bobRun}" exists, or you may not see it. Check the id (list them with GET /api/executions).`,
    });
    const admin = await open();
    expect(await admin.auth(ADMIN_KEY)).toMatchObject({ event: 'authenticated', data: { role: 'admin' } });
    admin.send({ action: 'subscribe', execution_id: bobRun });
    expect(await admin.one(isEvent('graph_execution_update', 'execution_id', bobRun))).toMatchObject({ data: { status: 'QUEUED', user_id: bob.user.id } });

    await t.bus.publish(nodeEvent(bobRun, 'shared-agent', bob.user.id, { node_id: 'secret-node' }));
    await admin.one(isEvent('node_execution_update', 'node_id', 'secret-node'));
    client.send({ action: 'subscribe', graph_id: 'shared-agent' });
    await client.one(isEvent('subscribed', 'graph_id', 'shared-agent'));
    await t.bus.publish(nodeEvent(bobRun, 'shared-agent', bob.user.id, { node_id: 'secret-2' }));
    await t.bus.publish(nodeEvent(adaRun, 'shared-agent', ada.user.id, { node_id: 'mine' }));
    await client.one(isEvent('node_execution_update', 'node_id', 'mine'));
    expect(client.messages.filter((m) => m.data.execution_id === bobRun)).toEqual([]);
  });

  it('filters a graph subscription per execution, and refuses graphs the caller may not see', async () => {
    const client = await open();
    await client.auth(bob.key);
    client.send({ action: 'subscribe', graph_id: 'bobs-agent' });
    await client.one(isEvent('subscribed', 'graph_id', 'bobs-agent'));
    const other = await open();
    await other.auth(ada.key);
    other.send({ action: 'subscribe', graph_id: 'bobs-agent' });
    expect((await other.one(isEvent('error'))).data).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No graph "bobs-agent"') });
    other.send({ action: 'subscribe', graph_id: 'no-such-agent' });
    expect((await other.next(isEvent('error'), 2))[1]!.data).toMatchObject({ code: 'NOT_FOUND' });

    await t.bus.publish(executionEvent('e-ada', 'bobs-agent', ada.user.id, { status: 'RUNNING' }));
    await t.bus.publish(executionEvent('e-bob', 'bobs-agent', bob.user.id, { status: 'RUNNING' }));
    await t.bus.publish(executionEvent('e-else', 'shared-agent', bob.user.id, { status: 'RUNNING' }));
    await t.bus.publish(executionEvent('e-bob', 'bobs-agent', bob.user.id, { status: 'COMPLETED' }));
    await client.one(isEvent('graph_execution_update', 'status', 'COMPLETED'));
    expect(client.messages.filter((m) => m.event === 'graph_execution_update').map((m) => [m.data.execution_id, m.data.status])).toEqual([
      ['e-bob', 'RUNNING'],
      ['e-bob', 'COMPLETED'],
    ]);

    client.send({ action: 'unsubscribe', graph_id: 'bobs-agent' });
    await client.one(isEvent('unsubscribed', 'graph_id', 'bobs-agent'));
    await t.bus.publish(executionEvent('e-bob2', 'bobs-agent', bob.user.id, { status: 'RUNNING' }));
    client.send({ action: 'subscribe', execution_id: adaRun });
    await client.one(isEvent('error'));
    expect(client.messages.some((m) => m.data.execution_id === 'e-bob2')).toBe(false);
  });

  it('sends a finished execution its final state on subscribe, so the end is never missed', async () => {
    const done = await insertExecution(t.dataSource, 'shared-agent', ada.user.id);
    await t.dataSource.query(`UPDATE executions SET status = 'RUNNING' WHERE id = $1`, [done]);
    await t.dataSource.query(
      `UPDATE executions SET status = 'FAILED', error = '{"code": "NODE_FAILED", "message": "boom", "node_id": "p"}', outputs = '{"r": []}' WHERE id = $1`,
      [done],
    );
    const client = await open();
    await client.auth(ada.key);
    client.send({ action: 'subscribe', execution_id: done });
    const state = await client.one(isEvent('graph_execution_update'));
    expect(state.data).toMatchObject({
      execution_id: done,
      status: 'FAILED',
      error: { code: 'NODE_FAILED', message: 'boom', node_id: 'p' },
      outputs: { r: [] },
    });
    expect(typeof state.data.ended_at).toBe('string');
  });

  it("delivers the caller's own notifications only", async () => {
    const client = await open();
    await client.auth(ada.key);
    await t.bus.publish({ event: 'notification', data: { id: 'n-bob', user_id: bob.user.id, kind: 'SYSTEM' } });
    await t.bus.publish({ event: 'notification', data: { id: 'n-ada', user_id: ada.user.id, kind: 'LOW_BALANCE' } });
    expect(await client.one(isEvent('notification'))).toEqual({ event: 'notification', data: { id: 'n-ada', user_id: ada.user.id, kind: 'LOW_BALANCE' } });
    expect(client.messages.filter((m) => m.event === 'notification')).toHaveLength(1);
  });

  it('answers bad messages with errors that say what to send', async () => {
    const client = await open();
    client.send({ action: 'subscribe', execution_id: adaRun });
    client.send('{not json');
    client.send([1, 2]);
    client.send({ action: 'dance' });
    client.send({ token: 'x' });
    client.send({ action: 'auth' });
    const errors = await client.next(isEvent('error'), 6);
    expect(errors.map((e) => e.data.code)).toEqual(['UNAUTHENTICATED', 'BAD_MESSAGE', 'BAD_MESSAGE', 'UNKNOWN_ACTION', 'UNKNOWN_ACTION', 'BAD_MESSAGE']);
    expect(errors[0]!.data.message).toContain('{"action":"auth","token":"<JWT or API key>"}');
    expect(errors[3]!.data.message).toBe('The message has the action "dance"; the actions are: auth, subscribe, unsubscribe.');
    expect(errors[5]!.data.message).toContain('needs a "token"');

    expect((await client.auth('trl_wrong')).data.code).toBe('UNAUTHENTICATED');
    await client.auth(ada.key);
    client.send({ action: 'subscribe' });
    client.send({ action: 'subscribe', execution_id: adaRun, graph_id: 'shared-agent' });
    client.send({ action: 'subscribe', execution_id: 'not-a-uuid' });
    client.send({ action: 'subscribe', execution_id: '00000000-0000-4000-8000-000000000000' });
    const more = await client.next(isEvent('error'), 11);
    expect(more.slice(7).map((e) => e.data.code)).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE', 'NOT_FOUND', 'NOT_FOUND']);
    expect(client.closed).toBeNull();
  });

  it('refuses to watch executions with a key that lacks executions:read', async () => {
    const { key } = await makeKey(t, ada.key, ['graphs:read']);
    const client = await open();
    await client.auth(key);
    client.send({ action: 'subscribe', execution_id: adaRun });
    expect((await client.one(isEvent('error'))).data).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('executions:read') });
  });

  it('streams a real execution: a graph subscriber sees its node updates in order, ending in COMPLETED', async () => {
    const agent = {
      name: 'ws-hello',
      nodes: {
        who: { block: 'input', inputs: { name: 'who', default: 'world' } },
        greet: { block: 'text.template', inputs: { template: 'Hello, {{ who }}!' } },
        greeting: { block: 'output', inputs: { name: 'greeting' } },
      },
      links: ['who.value -> greet.values.who', 'greet.text -> greeting.value'],
    };
    const created = await request(t.http).post('/api/graphs').set('X-API-Key', ada.key).send(agent);
    expect(created.status).toBe(201);
    const client = await open();
    await client.auth(ada.key);
    client.send({ action: 'subscribe', graph_id: 'ws-hello' });
    await client.one(isEvent('subscribed', 'graph_id', 'ws-hello'));
    const executed = await request(t.http)
      .post('/api/graphs/ws-hello/execute')
      .set('X-API-Key', ada.key)
      .send({ inputs: { who: 'Ada' } });
    expect(executed.status).toBe(202);
    const id = executed.body.id as string;
    const final = await client.one(
      (m) => m.event === 'graph_execution_update' && m.data.execution_id === id && m.data.status === 'COMPLETED',
      'the execution to complete',
    );
    expect(final.data).toMatchObject({ graph_id: 'ws-hello', user_id: ada.user.id, outputs: { greeting: ['Hello, Ada!'] } });
    const mine = client.messages.filter((m) => m.data.execution_id === id);
    const greet = mine.filter((m) => m.event === 'node_execution_update' && m.data.node_id === 'greet').map((m) => m.data.status);
    expect(greet[greet.length - 1]).toBe('COMPLETED');
    expect(mine.findIndex((m) => m.data.node_id === 'greet' && m.data.status === 'COMPLETED')).toBeLessThan(mine.indexOf(final));
    // Subscribing afterwards still gives the end, from the stored state.
    const late = await open();
    await late.auth(ada.key);
    late.send({ action: 'subscribe', execution_id: id });
    expect((await late.one(isEvent('graph_execution_update'))).data).toMatchObject({ status: 'COMPLETED', outputs: { greeting: ['Hello, Ada!'] } });
    const nodes = await late.next(isEvent('node_execution_update'), 3);
    expect(nodes.map((n) => [n.data.node_id, n.data.status])).toEqual([
      ['who', 'COMPLETED'],
      ['greet', 'COMPLETED'],
      ['greeting', 'COMPLETED'],
    ]);
  });

  it('closes sockets that do not authenticate within the grace, and drops sockets that stop answering pings', async () => {
    t.gateway.configure({ authGraceMs: 150, heartbeatMs: 100 });
    try {
      const silent = await open();
      const error = await silent.one(isEvent('error'));
      expect(error.data.code).toBe('UNAUTHENTICATED');
      expect(await silent.waitClosed()).toEqual({ code: 1008, reason: 'not authenticated' });

      const dead = new WebSocket(t.wsUrl, { autoPong: false });
      const deadClient = await new Promise<{ closed: boolean }>((resolve) => {
        const state = { closed: false };
        dead.on('open', () => dead.send(JSON.stringify({ action: 'auth', token: ada.key })));
        dead.on('close', () => (state.closed = true));
        resolve(state);
      });
      const alive = await open();
      await alive.auth(ada.key);
      await waitFor(
        () => deadClient.closed,
        (closed) => closed,
        { what: 'the dead socket to be dropped' },
      );
      expect(alive.closed).toBeNull();
    } finally {
      t.gateway.configure({ authGraceMs: 10_000, heartbeatMs: 30_000 });
    }
  });
});
