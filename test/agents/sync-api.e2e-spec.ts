// /api/agents: sync (admins), plan and validate, through the real app and its auth.
import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { GraphActivations, type GraphActivation } from '../../src/graphs/graph-activations.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { agentText, removeFolder, tempFolder, writeFile } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('/api/agents', () => {
  let t: TestApp;
  let dir: string;
  let alice: MadeUser;
  const admin = { 'X-API-Key': ADMIN_KEY };

  beforeAll(async () => {
    dir = tempFolder('api');
    writeFile(dir, 'greeter.yaml', agentText('greeter', { webhook: true }));
    t = await createTestApp({ label: 'agentsapi', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, AGENTS_DIR: dir } });
    alice = await makeUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
    removeFolder(dir);
  });

  describe('POST /api/agents/sync', () => {
    it('needs credentials, and the admin scope', async () => {
      const anonymous = await request(t.http).post('/api/agents/sync').expect(401);
      expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
      const user = await request(t.http).post('/api/agents/sync').set('X-API-Key', alice.key).expect(403);
      expect(user.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('admin') });
    });

    it('applies the plan, answers it, and tells the activation listeners', async () => {
      const seen: GraphActivation[] = [];
      const unsubscribe = t.app.get(GraphActivations).subscribe((changes) => void seen.push(...changes));
      try {
        const res = await request(t.http).post('/api/agents/sync').set(admin).expect(200);
        expect(res.body).toMatchObject({
          status: 'applied',
          reason: null,
          blocked: null,
          commit: null,
          summary: { create: 1, update: 0, pinned: 0, unchanged: 0, remove: 0, invalid: 0 },
          agents: [{ name: 'greeter', action: 'create', file: 'greeter.yaml', version: 1, active_version: 1 }],
        });
        expect(seen).toEqual([{ graph_id: 'greeter', active: true, active_version: 1 }]);
        const [state] = await t.dataSource.query(`SELECT synced_by FROM agent_sync_state`);
        expect(state.synced_by).toContain('(api)');
      } finally {
        unsubscribe();
      }
    });

    it('answers Markdown with ?format=markdown', async () => {
      const res = await request(t.http).post('/api/agents/sync?format=markdown').set(admin).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/markdown; charset=utf-8/);
      expect(res.text).toContain('## Trellis agents plan');
      expect(res.text).toContain('**no changes**, 1 unchanged');
    });

    it('answers 400 for an unknown format, and 409 when the agents folder is gone', async () => {
      const bad = await request(t.http).post('/api/agents/sync?format=html').set(admin).expect(400);
      expect(bad.body.error.details.problems).toEqual([{ pointer: '/format', message: 'expected one of json, markdown' }]);
      renameSync(dir, `${dir}-away`);
      try {
        const res = await request(t.http).post('/api/agents/sync').set(admin).expect(409);
        expect(res.body.error).toMatchObject({ code: 'AGENTS_FOLDER_MISSING', message: expect.stringContaining('Set AGENTS_DIR') });
        const [graph] = await t.dataSource.query(`SELECT active FROM graphs WHERE id = 'greeter'`);
        expect(graph.active).toBe(true);
      } finally {
        renameSync(`${dir}-away`, dir);
      }
    });
  });

  describe('GET /api/agents/plan', () => {
    it('shows what a sync would do without doing it, as JSON or Markdown', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter', { template: 'Hi {{ who }}', webhook: true }));
      writeFile(dir, 'broken.yaml', agentText('broken').replace('text.template', 'text.tmpl'));
      const res = await request(t.http).get('/api/agents/plan').set('X-API-Key', alice.key).expect(200);
      expect(res.body.summary).toMatchObject({ update: 1, invalid: 1 });
      const greeter = res.body.agents.find((e: { name: string }) => e.name === 'greeter');
      expect(greeter).toMatchObject({ action: 'update', version: 2, previous_version: 1 });
      expect(greeter.changes.nodes.changed[0].changes).toEqual(['inputs.template: "Hello, {{ who }}!" → "Hi {{ who }}"']);
      const [graph] = await t.dataSource.query(`SELECT latest_version FROM graphs WHERE id = 'greeter'`);
      expect(graph.latest_version).toBe(1);

      const text = await request(t.http).get('/api/agents/plan?format=markdown').set('X-API-Key', alice.key).expect(200);
      expect(text.text).toContain('| `greeter` | update | v1 → v2 | `greeter.yaml` |');
      expect(text.text).toMatch(/- `[^`]*broken\.yaml:7:12` unknown block "text\.tmpl"/);
    });
  });

  describe('POST /api/agents/validate', () => {
    const validate = () => request(t.http).post('/api/agents/validate').set('X-API-Key', alice.key);

    it('checks a file sent as text/plain and answers its problems with line and column', async () => {
      const res = await validate().set('Content-Type', 'text/plain').send(agentText('checked').replace('text.template', 'text.tmpl')).expect(200);
      expect(res.body).toMatchObject({ ok: false, file: null, name: 'checked', hash: null, errors: 1, warnings: 0 });
      expect(res.body.problems).toEqual([expect.objectContaining({ line: 7, column: 12, pointer: '/nodes/greet/block', severity: 'error', message: expect.stringContaining('unknown block "text.tmpl"') })]);
    });

    it('takes JSON {text, path}: the name must match the file, and a valid file answers its hash', async () => {
      const wrong = await validate().send({ text: agentText('checked'), path: 'agents/other-name.yaml' }).expect(200);
      expect(wrong.body).toMatchObject({ ok: false, file: 'agents/other-name.yaml' });
      expect(wrong.body.problems[0]).toMatchObject({ file: 'agents/other-name.yaml', line: 1, message: expect.stringContaining('must equal the file\'s name "other-name"') });
      const good = await validate().set('Content-Type', 'application/yaml').send(agentText('checked')).expect(200);
      expect(good.body).toMatchObject({ ok: true, errors: 0, problems: [], hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('checks what only the database knows: owners, and names of API graphs', async () => {
      const owner = await validate().send({ text: agentText('owned', { owner: 'ghost' }) }).expect(200);
      expect(owner.body.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('owner "ghost" is not a user') })]);
      expect((await validate().send({ text: agentText('owned', { owner: 'alice' }) }).expect(200)).body.ok).toBe(true);
      await request(t.http).post('/api/graphs').set('X-API-Key', alice.key).send({ name: 'made-by-api', nodes: { out: { block: 'output', inputs: { name: 'x', value: 1 } } } }).expect(201);
      const clash = await validate().send({ text: agentText('made-by-api') }).expect(200);
      expect(clash.body.problems).toEqual([expect.objectContaining({ pointer: '/name', line: 1, column: 7, message: expect.stringContaining('created through the API') })]);
    });

    it('warns of a human.review while server.public_url is unset (its reviewers would get no link)', async () => {
      const text = ['name: asks', 'nodes:', '  ask:', '    block: human.review', '    inputs: { title: Ship it? }', ''].join('\n');
      const res = await validate().set('Content-Type', 'text/plain').send(text).expect(200);
      expect(res.body).toMatchObject({ ok: true, errors: 0, warnings: 1 });
      expect(res.body.problems).toEqual([
        expect.objectContaining({ line: 4, column: 12, pointer: '/nodes/ask/block', severity: 'warning', message: expect.stringContaining('server.public_url is not set') }),
      ]);
    });

    it('answers 400 for a body that is not a file', async () => {
      const empty = await validate().set('Content-Type', 'text/plain').send('   \n').expect(400);
      expect(empty.body.error.details.problems).toEqual([{ pointer: '/text', message: expect.stringContaining('empty') }]);
      const bad = await validate().send({ text: 5, path: 'x.txt', extra: true }).expect(400);
      expect(bad.body.error.details.problems).toEqual([
        { pointer: '/extra', message: expect.stringContaining('unknown field') },
        { pointer: '/text', message: expect.stringContaining('as a string') },
        { pointer: '/path', message: expect.stringContaining('ending in .yaml or .yml') },
      ]);
      const tooBig = await validate().set('Content-Type', 'text/plain').send('x'.repeat(1024 * 1024 + 10)).expect(413);
      expect(tooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });
});
