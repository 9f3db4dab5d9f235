// /api/graphs: create, list, get, update and delete, with who may see and change what.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { GraphActivations, type GraphActivation } from '../../src/graphs/graph-activations.js';
import { admin, agentBody, graphsWorld, type GraphsWorld } from './graphs-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('/api/graphs', () => {
  let w: GraphsWorld;
  const as = (key: string) => ({ 'X-API-Key': key });

  beforeAll(async () => {
    w = await graphsWorld('graphs');
  });

  afterAll(() => w.close());

  describe('POST /api/graphs', () => {
    it('creates version 1 of an API graph and answers the Graph shape', async () => {
      const seen: GraphActivation[] = [];
      const unsubscribe = w.t.app.get(GraphActivations).subscribe((changes) => void seen.push(...changes));
      const res = await request(w.t.http)
        .post('/api/graphs')
        .set(as(w.alice.key))
        .send(agentBody('alice-greeter', { webhook: true }))
        .expect(201);
      unsubscribe();
      expect(res.body).toEqual({
        id: 'alice-greeter',
        description: 'The alice-greeter agent.',
        source: 'api',
        active: true,
        version: 1,
        active_version: 1,
        pinned_version: null,
        versions: 1,
        file: null,
        commit: null,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        owner: 'alice',
        nodes: {
          greet: {
            block: 'text.template',
            inputs: { template: 'Hello, {{ who }}!' },
            credentials: {},
            retry: { attempts: 2, backoff: 'exponential', delay: '1s' },
            timeout: '30s',
          },
          greeting: { block: 'output', inputs: { name: 'greeting' }, credentials: {} },
          hook: { block: 'trigger.webhook', inputs: { methods: ['POST'] }, credentials: {} },
          who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' }, credentials: {} },
        },
        links: ['greet.text -> greeting.value', 'hook.body -> greet.values.body', { from: 'who.value', to: 'greet.values.who', static: true }],
        triggers: [{ node: 'hook', block: 'trigger.webhook', methods: ['POST'] }],
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(seen).toEqual([{ graph_id: 'alice-greeter', active: true, active_version: 1 }]);
      const [row] = await w.t.dataSource.query(`SELECT source, owner_id, created_by FROM graphs WHERE id = 'alice-greeter'`);
      expect(row).toEqual({ source: 'api', owner_id: w.alice.user.id, created_by: w.alice.user.id });
      const triggers = await w.t.dataSource.query(`SELECT node_id, block FROM graph_triggers WHERE graph_id = 'alice-greeter'`);
      expect(triggers).toEqual([{ node_id: 'hook', block: 'trigger.webhook' }]);
    });

    it('answers 400 with every problem, pointing into the body, and creates nothing', async () => {
      const body = agentBody('bad-one') as { nodes: Record<string, Record<string, unknown>>; links: string[] } & Record<string, unknown>;
      body.colour = 'blue';
      body.nodes.greet!.block = 'text.templat';
      body.links.push('who.value -> nowhere.in');
      const res = await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).send(body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const problems = res.body.error.details.problems as Array<{ pointer: string; message: string }>;
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: '/colour', message: expect.stringContaining('unknown key "colour"') }),
          expect.objectContaining({ pointer: '/nodes/greet/block', message: expect.stringContaining('unknown block "text.templat"') }),
          expect.objectContaining({ pointer: '/links/2', message: expect.stringContaining('no node "nowhere"') }),
        ]),
      );
      expect(problems.every((p) => !('line' in p))).toBe(true);
      expect(await w.t.dataSource.query(`SELECT id FROM graphs WHERE id = 'bad-one'`)).toEqual([]);
    });

    it('gives the same messages as agent files', async () => {
      const body = agentBody('same-words');
      (body.nodes as Record<string, Record<string, unknown>>).greet!.block = 'text.templat';
      const api = await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).send(body).expect(400);
      const file = await request(w.t.http)
        .post('/api/agents/validate')
        .set(as(w.alice.key))
        .send({ text: JSON.stringify(body) })
        .expect(200);
      expect(api.body.error.details.problems.map((p: { message: string }) => p.message)).toEqual(file.body.problems.map((p: { message: string }) => p.message));
    });

    it('answers 400 for a body that is not a JSON agent', async () => {
      const text = await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).set('Content-Type', 'text/plain').send('name: x').expect(400);
      expect(text.body.error.details.problems).toEqual([{ pointer: '', message: expect.stringContaining('Content-Type: application/json') }]);
      const list = await request(w.t.http).post('/api/graphs').set(as(w.alice.key)).send([1, 2]).expect(400);
      expect(list.body.error.details.problems[0].message).toMatch(/an agent is a mapping/);
    });

    it('answers 409 when the name exists, from a file or the API', async () => {
      const file = await request(w.t.http).post('/api/graphs').set(as(w.bob.key)).send(agentBody('file-agent')).expect(409);
      expect(file.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('"file-agent" already exists') });
      await request(w.t.http).post('/api/graphs').set(as(w.bob.key)).send(agentBody('alice-greeter')).expect(409);
    });

    it('lets only admins bill another user as owner', async () => {
      const res = await request(w.t.http)
        .post('/api/graphs')
        .set(as(w.alice.key))
        .send(agentBody('billed', { owner: 'bob' }))
        .expect(400);
      expect(res.body.error.details.problems).toEqual([{ pointer: '/owner', message: expect.stringContaining('only admins may bill another user') }]);
      const ghost = await request(w.t.http)
        .post('/api/graphs')
        .set(admin)
        .send(agentBody('billed', { owner: 'ghost' }))
        .expect(400);
      expect(ghost.body.error.details.problems).toEqual([
        expect.objectContaining({ pointer: '/owner', message: expect.stringContaining('owner "ghost" is not a user') }),
      ]);
      const ok = await request(w.t.http)
        .post('/api/graphs')
        .set(admin)
        .send(agentBody('billed', { owner: 'bob' }))
        .expect(201);
      expect(ok.body.owner).toBe('bob');
      const [row] = await w.t.dataSource.query(`SELECT owner_id FROM graphs WHERE id = 'billed'`);
      expect(row.owner_id).toBe(w.bob.user.id);
    });

    it('needs the graphs:write scope', async () => {
      const res = await request(w.t.http).post('/api/graphs').set(as(w.aliceReadOnly)).send(agentBody('read-only')).expect(403);
      expect(res.body.error.message).toContain('graphs:write');
    });
  });

  describe('GET /api/graphs', () => {
    beforeAll(async () => {
      await request(w.t.http).post('/api/graphs').set(as(w.bob.key)).send(agentBody('bob-greeter')).expect(201);
    });

    const ids = (body: { items: Array<{ id: string }> }) => body.items.map((g) => g.id);

    it("shows file graphs and the caller's own API graphs; admins see all", async () => {
      expect(ids((await request(w.t.http).get('/api/graphs').set(as(w.aliceReadOnly)).expect(200)).body)).toEqual(['alice-greeter', 'file-agent']);
      expect(ids((await request(w.t.http).get('/api/graphs').set(as(w.bob.key)).expect(200)).body)).toEqual(['bob-greeter', 'file-agent']);
      expect(ids((await request(w.t.http).get('/api/graphs').set(admin).expect(200)).body)).toEqual(['alice-greeter', 'billed', 'bob-greeter', 'file-agent']);
    });

    it('filters by source and active state, and pages with a cursor', async () => {
      const files = await request(w.t.http).get('/api/graphs?source=file').set(admin).expect(200);
      expect(files.body.items.map((g: { id: string; file: string; source: string }) => [g.id, g.source, g.file])).toEqual([
        ['file-agent', 'file', 'team/file-agent.yaml'],
      ]);
      expect(ids((await request(w.t.http).get('/api/graphs?source=api&active=true').set(admin).expect(200)).body)).toEqual([
        'alice-greeter',
        'billed',
        'bob-greeter',
      ]);
      expect(ids((await request(w.t.http).get('/api/graphs?active=false').set(admin).expect(200)).body)).toEqual([]);
      const first = await request(w.t.http).get('/api/graphs?limit=3').set(admin).expect(200);
      expect(ids(first.body)).toEqual(['alice-greeter', 'billed', 'bob-greeter']);
      const second = await request(w.t.http).get(`/api/graphs?limit=3&cursor=${first.body.next_cursor}`).set(admin).expect(200);
      expect([ids(second.body), second.body.next_cursor]).toEqual([['file-agent'], null]);
    });

    it('answers 400 for bad filters', async () => {
      const res = await request(w.t.http).get('/api/graphs?source=git&active=maybe&limit=0&cursor=!!').set(admin).expect(400);
      expect(res.body.error.details.problems.map((p: { pointer: string }) => p.pointer).sort()).toEqual(['/active', '/limit', '/source']);
      const cursor = await request(w.t.http).get('/api/graphs?cursor=bm90IGFuIGlk').set(admin).expect(400);
      expect(cursor.body.error.details.problems).toEqual([{ pointer: '/cursor', message: expect.stringContaining('next_cursor') }]);
    });
  });

  describe('GET /api/graphs/{id}', () => {
    it("answers a file graph with its file, to everyone; another user's API graph is a 404", async () => {
      const file = await request(w.t.http).get('/api/graphs/file-agent').set(as(w.bob.key)).expect(200);
      expect(file.body).toMatchObject({
        id: 'file-agent',
        source: 'file',
        file: 'team/file-agent.yaml',
        commit: null,
        owner: 'admin',
        triggers: [{ node: 'hook', block: 'trigger.webhook', methods: ['POST'] }],
      });
      const hidden = await request(w.t.http).get('/api/graphs/alice-greeter').set(as(w.bob.key)).expect(404);
      expect(hidden.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No graph "alice-greeter"') });
      await request(w.t.http).get('/api/graphs/alice-greeter').set(admin).expect(200);
      await request(w.t.http).get('/api/graphs/no-such-graph').set(admin).expect(404);
    });

    it('answers another version with ?version=N, and 404 for a version that does not exist', async () => {
      const res = await request(w.t.http).get('/api/graphs/alice-greeter?version=7').set(as(w.alice.key)).expect(404);
      expect(res.body.error.message).toContain('has no version 7; its versions are 1 to 1');
      await request(w.t.http).get('/api/graphs/alice-greeter?version=zero').set(as(w.alice.key)).expect(400);
    });
  });

  describe('PUT /api/graphs/{id}', () => {
    it('records a new active version, and none when nothing changed', async () => {
      const res = await request(w.t.http)
        .put('/api/graphs/alice-greeter')
        .set(as(w.alice.key))
        .send(agentBody('alice-greeter', { template: 'Hi, {{ who }}!', webhook: true }))
        .expect(200);
      expect(res.body).toMatchObject({ version: 2, active_version: 2, versions: 2, nodes: { greet: { inputs: { template: 'Hi, {{ who }}!' } } } });
      const again = await request(w.t.http)
        .put('/api/graphs/alice-greeter')
        .set(as(w.alice.key))
        .send(agentBody('alice-greeter', { template: 'Hi, {{ who }}!', webhook: true }))
        .expect(200);
      expect(again.body).toMatchObject({ version: 2, versions: 2 });
      const old = await request(w.t.http).get('/api/graphs/alice-greeter?version=1').set(as(w.alice.key)).expect(200);
      expect(old.body.nodes.greet.inputs.template).toBe('Hello, {{ who }}!');
    });

    it('takes back what GET answered, with a change (GET, edit, PUT)', async () => {
      const current = (await request(w.t.http).get('/api/graphs/alice-greeter').set(as(w.alice.key)).expect(200)).body;
      current.nodes.greet.inputs.template = 'Round trip, {{ who }}';
      delete current.description;
      const res = await request(w.t.http).put('/api/graphs/alice-greeter').set(as(w.alice.key)).send(current).expect(200);
      expect(res.body).toMatchObject({ version: 3, description: null, nodes: { greet: { inputs: { template: 'Round trip, {{ who }}' } } } });
    });

    it("answers 400 for problems and for a rename, 404 for another user's graph, 409 naming the file of a file graph", async () => {
      const bad = await request(w.t.http).put('/api/graphs/alice-greeter').set(as(w.alice.key)).send({ nodes: {} }).expect(400);
      expect(bad.body.error.details.problems).toEqual([expect.objectContaining({ pointer: '/nodes', message: expect.stringContaining('at least one node') })]);
      const rename = await request(w.t.http).put('/api/graphs/alice-greeter').set(as(w.alice.key)).send(agentBody('renamed')).expect(400);
      expect(rename.body.error.details.problems).toEqual([{ pointer: '/name', message: expect.stringContaining("can't be renamed") }]);
      await request(w.t.http).put('/api/graphs/alice-greeter').set(as(w.bob.key)).send(agentBody('alice-greeter')).expect(404);
      const file = await request(w.t.http).put('/api/graphs/file-agent').set(admin).send(agentBody('file-agent')).expect(409);
      expect(file.body.error).toMatchObject({
        code: 'FILE_MANAGED',
        message: expect.stringContaining('team/file-agent.yaml'),
        details: { graph: 'file-agent', file: 'team/file-agent.yaml' },
      });
    });
  });

  describe('OpenAPI', () => {
    it('documents every graphs and agents path', async () => {
      const res = await request(w.t.http).get('/api/openapi.json').expect(200);
      const paths = Object.keys(res.body.paths);
      for (const path of [
        '/api/graphs',
        '/api/graphs/{id}',
        '/api/graphs/{id}/versions',
        '/api/graphs/{id}/versions/active',
        '/api/graphs/{id}/diagram',
        '/api/graphs/{id}/presets',
        '/api/agents/sync',
        '/api/agents/plan',
        '/api/agents/validate',
      ]) {
        expect(paths).toContain(path);
      }
    });
  });

  describe('DELETE /api/graphs/{id}', () => {
    it('deactivates an API graph (history stays), and PUT brings it back', async () => {
      const res = await request(w.t.http).delete('/api/graphs/bob-greeter').set(as(w.bob.key)).expect(200);
      expect(res.body).toMatchObject({ id: 'bob-greeter', active: false, version: 1 });
      const active = await request(w.t.http).get('/api/graphs?active=true').set(as(w.bob.key)).expect(200);
      expect(active.body.items.map((g: { id: string }) => g.id)).toEqual(['file-agent']);
      expect(await w.t.dataSource.query(`SELECT version FROM graph_versions WHERE graph_id = 'bob-greeter'`)).toEqual([{ version: 1 }]);
      await request(w.t.http).delete('/api/graphs/bob-greeter').set(as(w.bob.key)).expect(200);
      const back = await request(w.t.http).put('/api/graphs/bob-greeter').set(as(w.bob.key)).send(agentBody('bob-greeter')).expect(200);
      expect(back.body).toMatchObject({ active: true, version: 1, versions: 1 });
    });

    it("answers 409 for a file graph and 404 for another user's graph", async () => {
      const res = await request(w.t.http).delete('/api/graphs/file-agent').set(admin).expect(409);
      expect(res.body.error.message).toContain("can't be deleted through the API");
      await request(w.t.http).delete('/api/graphs/bob-greeter').set(as(w.alice.key)).expect(404);
    });
  });
});
