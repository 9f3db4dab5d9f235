// /api/graphs/{id}/versions, versions/active (activate, pin, unpin), diagram and presets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { admin, agentBody, agentText, graphsWorld, writeFile, type GraphsWorld } from './graphs-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('graph versions, diagrams and presets', () => {
  let w: GraphsWorld;
  const as = (key: string) => ({ 'X-API-Key': key });

  beforeAll(async () => {
    w = await graphsWorld('graphversions');
    await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).send(agentBody('mine')).expect(201);
    await request(w.t.http)
      .put('/api/graphs/mine')
      .set(as(w.alice.key))
      .send(agentBody('mine', { template: 'v2 {{ who }}' }))
      .expect(200);
  });

  afterAll(() => w.close());

  describe('GET /api/graphs/{id}/versions', () => {
    it('lists every version, newest first, with hash, file, commit, who made it and which is active', async () => {
      const res = await request(w.t.http).get('/api/graphs/mine/versions').set(as(w.aliceReadOnly)).expect(200);
      expect(res.body).toEqual({
        items: [
          {
            version: 2,
            hash: expect.stringMatching(/^[0-9a-f]{64}$/),
            file: null,
            commit: null,
            created_by: 'alice',
            active: true,
            pinned: false,
            created_at: expect.any(String),
          },
          {
            version: 1,
            hash: expect.stringMatching(/^[0-9a-f]{64}$/),
            file: null,
            commit: null,
            created_by: 'alice',
            active: false,
            pinned: false,
            created_at: expect.any(String),
          },
        ],
        next_cursor: null,
      });
      const file = await request(w.t.http).get('/api/graphs/file-agent/versions').set(as(w.bob.key)).expect(200);
      expect(file.body.items).toEqual([expect.objectContaining({ version: 1, file: 'team/file-agent.yaml', created_by: null, active: true })]);
      await request(w.t.http).get('/api/graphs/mine/versions').set(as(w.bob.key)).expect(404);
    });
  });

  describe('PUT /api/graphs/{id}/versions/active', () => {
    it('makes another version of an API graph active', async () => {
      const res = await request(w.t.http).put('/api/graphs/mine/versions/active').set(as(w.alice.key)).send({ version: 1 }).expect(200);
      expect(res.body).toMatchObject({
        version: 1,
        active_version: 1,
        versions: 2,
        pinned_version: null,
        nodes: { greet: { inputs: { template: 'Hello, {{ who }}!' } } },
      });
    });

    it('answers 400 for a missing, null (API graph) or unknown version, and 404 for another user', async () => {
      const missing = await request(w.t.http).put('/api/graphs/mine/versions/active').set(as(w.alice.key)).send({}).expect(400);
      expect(missing.body.error.details.problems).toEqual([expect.objectContaining({ pointer: '/version' })]);
      const unpin = await request(w.t.http).put('/api/graphs/mine/versions/active').set(as(w.alice.key)).send({ version: null }).expect(400);
      expect(unpin.body.error.details.problems[0].message).toContain('not pinned');
      const unknown = await request(w.t.http).put('/api/graphs/mine/versions/active').set(as(w.alice.key)).send({ version: 9 }).expect(400);
      expect(unknown.body.error.details.problems).toEqual([{ pointer: '/version', message: 'graph "mine" has no version 9; its versions are 1 to 2' }]);
      await request(w.t.http).put('/api/graphs/mine/versions/active').set(as(w.bob.key)).send({ version: 1 }).expect(404);
    });

    it('pins a file graph (admins only): sync then records new versions without activating them; unpinning activates the newest', async () => {
      writeFile(w.dir, 'team/file-agent.yaml', agentText('file-agent', { template: 'v2 {{ who }}', webhook: true }));
      await request(w.t.http).post('/api/agents/sync').set(admin).expect(200);
      const forbidden = await request(w.t.http).put('/api/graphs/file-agent/versions/active').set(as(w.alice.key)).send({ version: 1 }).expect(403);
      expect(forbidden.body.error.message).toContain('only admins');

      const pinned = await request(w.t.http).put('/api/graphs/file-agent/versions/active').set(admin).send({ version: 1 }).expect(200);
      expect(pinned.body).toMatchObject({ version: 1, active_version: 1, pinned_version: 1, versions: 2 });
      writeFile(w.dir, 'team/file-agent.yaml', agentText('file-agent', { template: 'v3 {{ who }}', webhook: true }));
      const plan = await request(w.t.http).get('/api/agents/plan').set(admin).expect(200);
      expect(plan.body.agents[0]).toMatchObject({ name: 'file-agent', action: 'pinned', version: 3, active_version: 1 });
      await request(w.t.http).post('/api/agents/sync').set(admin).expect(200);
      const held = await request(w.t.http).get('/api/graphs/file-agent').set(as(w.bob.key)).expect(200);
      expect(held.body).toMatchObject({ version: 1, active_version: 1, pinned_version: 1, versions: 3 });
      const triggers = await w.t.dataSource.query(
        `SELECT t.version FROM graph_triggers t JOIN graphs g ON g.id = t.graph_id AND g.active_version = t.version WHERE g.active AND t.graph_id = 'file-agent'`,
      );
      expect(triggers).toEqual([{ version: 1 }]);

      const unpinned = await request(w.t.http).put('/api/graphs/file-agent/versions/active').set(admin).send({ version: null }).expect(200);
      expect(unpinned.body).toMatchObject({ version: 3, active_version: 3, pinned_version: null, nodes: { greet: { inputs: { template: 'v3 {{ who }}' } } } });
    });
  });

  describe('GET /api/graphs/{id}/diagram', () => {
    it('answers Mermaid text, or an SVG picture, of any version', async () => {
      const mermaid = await request(w.t.http).get('/api/graphs/mine/diagram').set(as(w.alice.key)).expect(200);
      expect(mermaid.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(mermaid.text).toMatch(/^flowchart LR\n/);
      expect(mermaid.text).toContain('n_greet["greet<br/>text.template"]');
      const svg = await request(w.t.http).get('/api/graphs/file-agent/diagram?format=svg&version=2').set(as(w.bob.key)).expect(200);
      expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(svg.body.toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    });

    it('answers 400 for an unknown format and 404 for what the caller may not see', async () => {
      const bad = await request(w.t.http).get('/api/graphs/mine/diagram?format=png').set(as(w.alice.key)).expect(400);
      expect(bad.body.error.details.problems).toEqual([{ pointer: '/format', message: 'expected "mermaid" or "svg"' }]);
      await request(w.t.http).get('/api/graphs/mine/diagram').set(as(w.bob.key)).expect(404);
      await request(w.t.http).get('/api/graphs/mine/diagram?version=5').set(as(w.alice.key)).expect(404);
    });
  });

  describe('/api/graphs/{id}/presets', () => {
    it("saves a preset of the graph's inputs and credential names, and lists only the caller's", async () => {
      const res = await request(w.t.http)
        .post('/api/graphs/file-agent/presets')
        .set(as(w.alice.key))
        .send({ name: 'for Ada', description: 'greets Ada', inputs: { who: 'Ada' }, credentials: { github: 'github-bot' } })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        graph_id: 'file-agent',
        name: 'for Ada',
        description: 'greets Ada',
        inputs: { who: 'Ada' },
        credentials: { github: 'github-bot' },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      await request(w.t.http).post('/api/graphs/file-agent/presets').set(as(w.bob.key)).send({ name: 'for Ada' }).expect(201);
      const list = await request(w.t.http).get('/api/graphs/file-agent/presets').set(as(w.aliceReadOnly)).expect(200);
      expect(list.body).toEqual({ items: [res.body], next_cursor: null });
    });

    it('answers 409 for a name the caller used, 400 for unknown inputs or secrets, 404 for a hidden graph', async () => {
      const taken = await request(w.t.http).post('/api/graphs/file-agent/presets').set(as(w.alice.key)).send({ name: 'for Ada' }).expect(409);
      expect(taken.body.error.message).toContain('already have a preset named "for Ada"');
      const unknown = await request(w.t.http)
        .post('/api/graphs/file-agent/presets')
        .set(as(w.alice.key))
        .send({ name: 'x', inputs: { whom: 1 } })
        .expect(400);
      expect(unknown.body.error.details.problems).toEqual([{ pointer: '/inputs/whom', message: 'graph "file-agent" has no input "whom"; its inputs: who' }]);
      const secrets = await request(w.t.http)
        .post('/api/graphs/file-agent/presets')
        .set(as(w.alice.key))
        .send({ name: 'y', credentials: { github: { token: 5 } }, extra: 1 })
        .expect(400);
      expect(secrets.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual(['/credentials', '/extra']);
      await request(w.t.http).post('/api/graphs/mine/presets').set(as(w.bob.key)).send({ name: 'z' }).expect(404);
      await request(w.t.http).post('/api/graphs/file-agent/presets').set(as(w.aliceReadOnly)).send({ name: 'z' }).expect(403);
    });
  });
});
