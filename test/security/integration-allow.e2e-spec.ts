// An OpenAPI integration's `allow` (release-2.md section 5, section 1's rules), against a real app with
// several users: admin, alice (admitted by `users:`) and bob (not admitted), and a local server that
// records every request. Its blocks are listed, validated and run only where `allow` admits the
// execution; for anyone else they read exactly as blocks that do not exist, and nothing is sent.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { makeUser, type MadeUser } from '../auth/auth-helpers.js';
import type { HttpPeer } from '../blocks/peers/http-peer.js';
import { admin, createGraph, createSecurityApp, finishedExecution, nodesOf, runAndWait, startRecorder, withoutName, type SecurityApp } from './security-app.js';

const PETS = [
  'openapi: 3.1.0',
  'info: { title: Pets, version: "1" }',
  'paths:',
  '  /pets/{id}:',
  '    get:',
  '      operationId: getPet',
  '      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]',
  '      responses: { "200": { description: ok } }',
  '',
].join('\n');

const KEY = 'intallow-key-0001';

const integration = (name: string, url: string, allow: string) =>
  `name: ${name}\nopenapi: docs/pets.yaml\nbase_url: ${url}\nallow_private: true\nallow: ${allow}\n`;

const petGraph = (name: string, block: string) => ({
  name,
  nodes: { call: { block, inputs: { id: 7 } }, status: { block: 'output', inputs: { name: 'status' } } },
  links: ['call.status -> status.value'],
});

const petAgent = (name: string, block: string) =>
  `name: ${name}\nnodes:\n  call: { block: ${block}, inputs: { id: 9 } }\n  status: { block: output, inputs: { name: status } }\nlinks:\n  - call.status -> status.value\n`;

describe("an integration's allow: who may list, validate and run its blocks", () => {
  let s: SecurityApp;
  let recorder: HttpPeer;
  let folder: string;
  let alice: MadeUser;
  let bob: MadeUser;

  beforeAll(async () => {
    recorder = await startRecorder();
    folder = mkdtempSync(join(tmpdir(), 'trellis-int-allow-'));
    mkdirSync(join(folder, 'docs'));
    writeFileSync(join(folder, 'docs/pets.yaml'), PETS);
    writeFileSync(join(folder, 'team.yaml'), integration('team', recorder.url, '{ file_agents: true, roles: [admin], users: [alice] }'));
    writeFileSync(join(folder, 'locked.yaml'), integration('locked', recorder.url, '{ file_agents: false, roles: [], users: [alice] }'));
    writeFileSync(
      join(folder, 'keyed.yaml'),
      integration('keyed', recorder.url, '{ users: [alice] }') + 'credential: { type: api_key, in: header, name: X-Key }\n',
    );
    // The credential itself admits every user: only the integration's allow refuses bob.
    const credentialsYaml = `keyed-key:\n  provider: keyed\n  type: api_key\n  env: { key: INTALLOW_KEY }\n  hosts: ["${recorder.url}"]\n  allow: { roles: [admin, user] }`;
    s = await createSecurityApp('intallow', credentialsYaml, { env: { INTEGRATIONS_DIR: folder, INTALLOW_KEY: KEY } });
    alice = await makeUser(s.t, 'alice');
    bob = await makeUser(s.t, 'bob');
  });

  afterAll(async () => {
    await s?.close();
    await recorder?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** An error answer without its request id, to compare "refused" with "does not exist". */
  const errorOf = (body: { error: Record<string, unknown> }, name: string) => withoutName(JSON.stringify({ ...body.error, request_id: null }), name);
  const ids = async (key: string) =>
    ((await request(s.t.http).get('/api/blocks').set('X-API-Key', key).expect(200)).body.items as Array<{ id: string }>).map((b) => b.id);

  it('lists the blocks only to the users and roles allow admits; to bob one reads as a block that does not exist', async () => {
    // The admin role is admitted by team's roles: [admin], not by locked's roles: [].
    const admins = await ids(admin['X-API-Key']);
    expect(admins).toContain('team.get_pet');
    expect(admins).not.toContain('locked.get_pet');
    expect(await ids(alice.key)).toEqual(expect.arrayContaining(['team.get_pet', 'locked.get_pet']));
    const bobs = await ids(bob.key);
    expect(bobs.filter((id) => id.startsWith('team.') || id.startsWith('locked.'))).toEqual([]);
    expect(bobs).toContain('http.request');

    await request(s.t.http).get('/api/blocks/team.get_pet').set('X-API-Key', alice.key).expect(200);
    const refused = await request(s.t.http).get('/api/blocks/team.get_pet').set('X-API-Key', bob.key);
    const missing = await request(s.t.http).get('/api/blocks/team.get_pez').set('X-API-Key', bob.key);
    expect(refused.status).toBe(404);
    expect(errorOf(refused.body, 'team.get_pet')).toBe(errorOf(missing.body, 'team.get_pez'));
    // Suggestions name only what the caller may use.
    const aliceMissing = await request(s.t.http).get('/api/blocks/team.get_pez').set('X-API-Key', alice.key);
    expect(aliceMissing.body.error.details.suggestions).toContain('team.get_pet');
    expect(missing.body.error.details.suggestions).toEqual([]);
  });

  it('refuses bob a direct run exactly like a missing block and sends nothing; runs it for alice', async () => {
    const before = recorder.requests.length;
    const run = (key: string, id: string) =>
      request(s.t.http)
        .post(`/api/blocks/${id}/execute`)
        .set('X-API-Key', key)
        .send({ inputs: { id: 5 } });
    const [refused, missing] = [await run(bob.key, 'team.get_pet'), await run(bob.key, 'team.get_pez')];
    expect(refused.status).toBe(404);
    expect(errorOf(refused.body, 'team.get_pet')).toBe(errorOf(missing.body, 'team.get_pez'));
    expect(recorder.requests.length).toBe(before);

    const ran = await run(alice.key, 'team.get_pet');
    expect(ran.status).toBe(200);
    expect(ran.body.outputs).toEqual(expect.arrayContaining([{ pin: 'status', value: 200 }]));
    expect(recorder.requests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /pets/5']);
  });

  it("refuses bob's API graph using the block exactly as an unknown block, on create and update; alice's validates and runs", async () => {
    const before = recorder.requests.length;
    const refused = await createGraph(s.t, bob.key, petGraph('bob-pets', 'team.get_pet'));
    const missing = await createGraph(s.t, bob.key, petGraph('bob-pets', 'team.get_pez'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('unknown block "team.get_pet"');
    expect(errorOf(refused.body, 'team.get_pet')).toBe(errorOf(missing.body, 'team.get_pez'));

    const plain = { name: 'bob-pets', nodes: { out: { block: 'output', inputs: { name: 'x', value: 1 } } } };
    expect((await createGraph(s.t, bob.key, plain)).status).toBe(201);
    const updated = await request(s.t.http).put('/api/graphs/bob-pets').set('X-API-Key', bob.key).send(petGraph('bob-pets', 'team.get_pet'));
    expect(updated.status).toBe(400);
    expect(updated.body.error.message).toContain('unknown block "team.get_pet"');
    expect(recorder.requests.length).toBe(before);

    expect((await createGraph(s.t, alice.key, petGraph('alice-pets', 'team.get_pet'))).status).toBe(201);
    const run = await runAndWait(s.t, alice.key, 'alice-pets');
    expect(run.body.status).toBe('COMPLETED');
    expect(recorder.requests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /pets/7']);
  });

  it("runs a file agent's block under file trust when file_agents is true, and fails the node otherwise, sending nothing", async () => {
    await s.syncAgent('team-pets', petAgent('team-pets', 'team.get_pet'));
    await s.syncAgent('locked-pets', petAgent('locked-pets', 'locked.get_pet'));
    const before = recorder.requests.length;

    const admitted = await runAndWait(s.t, admin['X-API-Key'], 'team-pets');
    expect((await finishedExecution(s.t, admitted.body.execution_id as string)).status).toBe('COMPLETED');
    expect(recorder.requests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /pets/9']);

    // locked: file_agents false, roles [] and users [alice]: the admin's run is not admitted.
    const refused = await runAndWait(s.t, admin['X-API-Key'], 'locked-pets');
    const execution = await finishedExecution(s.t, refused.body.execution_id as string);
    expect(execution).toMatchObject({ status: 'FAILED', file_trust: true });
    const node = (await nodesOf(s.t, refused.body.execution_id as string)).find((n) => n.node_id === 'call')!;
    expect(node.status).toBe('FAILED');
    expect(node.error?.code).toBe('CREDENTIAL_UNRESOLVED');
    expect(node.error?.message).toContain('block "locked.get_pet" does not exist');
    expect(recorder.requests.length).toBe(before + 1);
  });

  it("checks a non-admin's API run of a file agent against allow's users: bob's node fails and sends nothing, alice's runs", async () => {
    const before = recorder.requests.length;
    const bobs = await runAndWait(s.t, bob.key, 'team-pets');
    expect(await finishedExecution(s.t, bobs.body.execution_id as string)).toMatchObject({ status: 'FAILED', file_trust: false });
    const node = (await nodesOf(s.t, bobs.body.execution_id as string)).find((n) => n.node_id === 'call')!;
    expect(node.error).toMatchObject({ code: 'CREDENTIAL_UNRESOLVED', message: expect.stringContaining('block "team.get_pet" does not exist') });
    expect(recorder.requests.length).toBe(before);

    const alices = await runAndWait(s.t, alice.key, 'team-pets');
    expect(await finishedExecution(s.t, alices.body.execution_id as string)).toMatchObject({ status: 'COMPLETED', file_trust: false });
    expect(recorder.requests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /pets/9']);
  });

  it("refuses, before the run, a non-admitted user's execution of a block that takes a credential, though the credential admits them", async () => {
    await s.syncAgent(
      'keyed-pets',
      petAgent('keyed-pets', 'keyed.get_pet').replace('inputs: { id: 9 } }', 'inputs: { id: 9 }, credentials: { auth: keyed-key } }'),
    );
    const before = recorder.requests.length;
    const bobs = await runAndWait(s.t, bob.key, 'keyed-pets');
    expect(bobs.status).toBe(400);
    // The answer of a credential the execution may not use: 400 VALIDATION_FAILED naming the node.
    expect(bobs.body.error.code).toBe('VALIDATION_FAILED');
    expect(bobs.body.error.details.problems).toEqual([
      expect.objectContaining({ pointer: '/nodes/call/block', message: expect.stringContaining('block "keyed.get_pet" does not exist') }),
    ]);
    expect(recorder.requests.length).toBe(before);

    const alices = await runAndWait(s.t, alice.key, 'keyed-pets');
    expect(await finishedExecution(s.t, alices.body.execution_id as string)).toMatchObject({ status: 'COMPLETED' });
    expect(recorder.requests.slice(before).map((r) => [r.url, r.headers['x-key']])).toEqual([['/pets/9', KEY]]);
  });
});
