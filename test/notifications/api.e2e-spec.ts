// The notification API (own only, unread filter, cursor pages, read marks, admin broadcast) and the
// WebSocket push of a new notification to a client authenticated with an API key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { makeUser, ADMIN_KEY, type MadeUser } from '../auth/auth-helpers.js';
import { createWsApp, isEvent, WsClient, type WsApp } from '../executions/ws-helpers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('notifications API and WebSocket push', () => {
  let database: TestDatabase;
  let t: WsApp;
  let ada: MadeUser;
  let bo: MadeUser;
  const clients: WsClient[] = [];

  const broadcast = (title: string) =>
    request(t.http)
      .post('/api/admin/notifications')
      .set('X-API-Key', ADMIN_KEY)
      .send({ title, body: `${title} body` });

  beforeAll(async () => {
    database = await createTestDatabase('notify-api');
    t = await createWsApp(database);
    ada = await makeUser(t, 'ada');
    bo = await makeUser(t, 'bo');
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await t?.close();
    await database?.drop();
  });

  it('pushes a new notification to its user on the WebSocket, and not to another user', async () => {
    const mine = await WsClient.open(t.wsUrl);
    const theirs = await WsClient.open(t.wsUrl);
    clients.push(mine, theirs);
    expect((await mine.auth(ada.key)).event).toBe('authenticated');
    expect((await theirs.auth(bo.key)).event).toBe('authenticated');
    await request(t.http)
      .put('/api/user')
      .set('X-API-Key', bo.key)
      .send({ notification_preferences: { SYSTEM: [] } })
      .expect(200);

    expect((await broadcast('Pushed')).status).toBe(201);
    const pushed = await mine.one(isEvent('notification'), 'the notification event');
    expect(pushed.data).toMatchObject({ kind: 'SYSTEM', title: 'Pushed', body: 'Pushed body', read: false, user_id: ada.user.id });
    const listed = await request(t.http).get('/api/notifications').set('X-API-Key', ada.key);
    expect(listed.body.items[0].id).toBe(pushed.data.id);
    expect(theirs.messages.filter((m) => m.event === 'notification')).toEqual([]);
  });

  it("lists only the caller's notifications, newest first, in cursor pages, with ?unread=true", async () => {
    for (const title of ['one', 'two', 'three']) expect((await broadcast(title)).status).toBe(201);
    const first = await request(t.http).get('/api/notifications?limit=2').set('X-API-Key', ada.key);
    expect(first.status).toBe(200);
    expect(first.body.items.map((n: { title: string }) => n.title)).toEqual(['three', 'two']);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await request(t.http).get(`/api/notifications?limit=2&cursor=${first.body.next_cursor}`).set('X-API-Key', ada.key);
    expect(second.body.items.map((n: { title: string }) => n.title)).toEqual(['one', 'Pushed']);
    expect(second.body.next_cursor).toBeNull();

    const theirs = await request(t.http).get('/api/notifications').set('X-API-Key', bo.key);
    expect(theirs.body).toEqual({ items: [], next_cursor: null });

    const id = first.body.items[0].id as string;
    const read = await request(t.http).patch(`/api/notifications/${id}`).set('X-API-Key', ada.key).send({ read: true });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, read: true, read_at: expect.any(String) });
    const unread = await request(t.http).get('/api/notifications?unread=true').set('X-API-Key', ada.key);
    expect(unread.body.items.map((n: { title: string }) => n.title)).toEqual(['two', 'one', 'Pushed']);
    const again = await request(t.http).patch(`/api/notifications/${id}`).set('X-API-Key', ada.key).send({ read: false });
    expect(again.body).toMatchObject({ read: false, read_at: null });
    const all = await request(t.http).get('/api/notifications?unread=true').set('X-API-Key', ada.key);
    expect(all.body.items).toHaveLength(4);
  });

  it("answers 404 for another user's notification or an unknown id, and 400 for bad input", async () => {
    const [mine] = (await request(t.http).get('/api/notifications').set('X-API-Key', ada.key)).body.items as Array<{ id: string }>;
    const other = await request(t.http).patch(`/api/notifications/${mine!.id}`).set('X-API-Key', bo.key).send({ read: true });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect(other.body.error.message).toMatch(/GET \/api\/notifications/);
    expect((await request(t.http).patch('/api/notifications/not-a-uuid').set('X-API-Key', ada.key).send({ read: true })).status).toBe(404);

    const noRead = await request(t.http).patch(`/api/notifications/${mine!.id}`).set('X-API-Key', ada.key).send({ read: 'yes' });
    expect(noRead.status).toBe(400);
    expect(JSON.stringify(noRead.body.error.details)).toMatch(/true \(read\) or false/);
    const badCursor = await request(t.http).get('/api/notifications?cursor=garbage').set('X-API-Key', ada.key);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toMatch(/next_cursor/);
    expect((await request(t.http).get('/api/notifications?unread=maybe').set('X-API-Key', ada.key)).status).toBe(400);
    expect((await request(t.http).get('/api/notifications?limit=0').set('X-API-Key', ada.key)).status).toBe(400);
    expect((await request(t.http).get('/api/notifications')).status).toBe(401);
  });

  it('lets only admins broadcast, with a title and body', async () => {
    const denied = await request(t.http).post('/api/admin/notifications').set('X-API-Key', ada.key).send({ title: 'x', body: 'y' });
    expect(denied.status).toBe(403);
    const invalid = await request(t.http).post('/api/admin/notifications').set('X-API-Key', ADMIN_KEY).send({ body: 5 });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body.error.details)).toMatch(/title/);
  });
});
