// Who may use an operator credential, and where a credential may go (release-2.md section 1), against a
// real app with several users (admin, alice, bob), a recorder that keeps every request's headers, and a
// GitHub peer that only accepts the operator's token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { startGithubPeer, type GithubPeer } from '../blocks/peers/github-peer.js';
import type { HttpPeer } from '../blocks/peers/http-peer.js';
import { BlocksRegistry } from '../../src/blocks/blocks.registry.js';
import { ExecutionsRepository } from '../../src/executions/executions.repository.js';
import { lostCredentialUsage, NOTICE_DAYS } from '../../src/executions/operator-credentials.notice.js';
import {
  admin,
  createGraph,
  createSecurityApp,
  everythingReceived,
  finishedExecution,
  nodesOf,
  runAndWait,
  startRecorder,
  withoutName,
  type SecurityApp,
} from './security-app.js';

const GH_TOKEN = 'ghp_operator_token_0001';
const FILES_KEY = 'files-only-key-0002';
const OPS_VALUE = 'ops-value-0003';
const SYSTEM_OPENAI = 'sk-system-openai-0004';

function prBot(recorder: HttpPeer, comment: string): string {
  return `name: pr-bot
owner: bob
nodes:
  hook: { block: trigger.webhook }
  call:
    block: http.request
    inputs: { url: "${recorder.url}/file", method: POST, json: { from: file } }
    credentials: { auth: files-only }
  comment:
    block: github.comment
    inputs: { repository: acme/app, number: 7, body: "${comment}" }
    credentials: { github: github-bot }
  status: { block: output, inputs: { name: status } }
links:
  - call.status -> status.value
`;
}

const httpGraph = (name: string, url: string, credentials?: Record<string, string>) => ({
  name,
  nodes: { call: { block: 'http.request', inputs: { url }, ...(credentials ? { credentials } : {}) }, status: { block: 'output', inputs: { name: 'status' } } },
  links: ['call.status -> status.value'],
});

describe('operator credentials: who may use them and where they may go', () => {
  let s: SecurityApp;
  let recorder: HttpPeer;
  let elsewhere: HttpPeer;
  let github: GithubPeer;
  let alice: MadeUser;
  let bob: MadeUser;

  beforeAll(async () => {
    recorder = await startRecorder();
    elsewhere = await startRecorder();
    github = await startGithubPeer(GH_TOKEN);
    github.issues.set(7, { title: 'Issue 7', body: 'text', labels: [], comments: [], pull: true });
    const credentialsYaml = [
      'github-bot:\n  provider: github\n  type: api_key\n  env: { key: SEC_GITHUB_TOKEN }',
      `files-only:\n  provider: http\n  type: api_key\n  env: { key: SEC_FILES_KEY }\n  hosts: ["${recorder.url}"]\n  allow: { file_agents: true, roles: [] }`,
      `ops-api:\n  provider: http\n  type: header\n  env: { name: SEC_OPS_HEADER, value: SEC_OPS_VALUE }\n  hosts: ["${recorder.url}"]\n  allow: { file_agents: false, roles: [], users: [alice] }`,
    ].join('\n');
    s = await createSecurityApp('opcreds', credentialsYaml, {
      env: {
        SEC_GITHUB_TOKEN: GH_TOKEN,
        SEC_FILES_KEY: FILES_KEY,
        SEC_OPS_HEADER: 'Ocp-Apim-Subscription-Key',
        SEC_OPS_VALUE: OPS_VALUE,
        OPENAI_API_KEY: SYSTEM_OPENAI,
      },
      overrides: { integrations: { github: { base_url: github.url } } },
    });
    alice = await makeUser(s.t, 'alice');
    bob = await makeUser(s.t, 'bob');
    await s.syncAgent('pr-bot', prBot(recorder, 'first'));
  });

  afterAll(async () => {
    await s?.close();
    await Promise.all([recorder?.close(), elsewhere?.close(), github?.close()]);
  });

  it('answers bob, who may not use github-bot, exactly as for a name that does not exist, and sends nothing', async () => {
    const before = recorder.requests.length;
    const refused = await createGraph(s.t, bob.key, httpGraph('bob-probe', `${recorder.url}/bob`, { auth: 'github-bot' }));
    const missing = await createGraph(s.t, bob.key, httpGraph('bob-probe', `${recorder.url}/bob`, { auth: 'no-such-bot' }));
    expect(refused.status).toBe(400);
    expect(missing.status).toBe(400);
    expect(withoutName(JSON.stringify(refused.body.error.details), 'github-bot')).toBe(withoutName(JSON.stringify(missing.body.error.details), 'no-such-bot'));
    expect(refused.body.error.message).toContain('no credential named "github-bot"');

    expect((await createGraph(s.t, bob.key, httpGraph('bob-plain', `${recorder.url}/bob`))).status).toBe(201);
    const run = (auth: string) =>
      request(s.t.http)
        .post('/api/graphs/bob-plain/execute')
        .set('X-API-Key', bob.key)
        .send({ credentials: { call: { auth } } });
    const [viaRequest, viaRequestMissing] = [await run('github-bot'), await run('no-such-bot')];
    expect(viaRequest.status).toBe(400);
    expect(viaRequest.body.error.code).toBe(viaRequestMissing.body.error.code);
    expect(withoutName(viaRequest.body.error.message, 'github-bot')).toBe(withoutName(viaRequestMissing.body.error.message, 'no-such-bot'));

    const block = (auth: string) =>
      request(s.t.http)
        .post('/api/blocks/http.request/execute')
        .set('X-API-Key', bob.key)
        .send({ inputs: { url: `${recorder.url}/bob` }, credentials: { auth } });
    const [direct, directMissing] = [await block('github-bot'), await block('no-such-bot')];
    expect(direct.status).toBe(directMissing.status);
    expect(withoutName(direct.body.error.message, 'github-bot')).toBe(withoutName(directMissing.body.error.message, 'no-such-bot'));

    expect(recorder.requests.length).toBe(before);
    expect(everythingReceived(recorder)).not.toContain(GH_TOKEN);
  });

  it('never sends the system OpenAI key to a base_url a node sets, for bob or for an admin', async () => {
    for (const [key, name] of [
      [bob.key, 'bob-llm'],
      [ADMIN_KEY, 'admin-llm'],
    ] as const) {
      const graph = {
        name,
        nodes: {
          ask: { block: 'llm.chat', inputs: { model: 'gpt-4o-mini', prompt: 'hi', base_url: `${recorder.url}/v1` } },
          text: { block: 'output', inputs: { name: 'text' } },
        },
        links: ['ask.text -> text.value'],
      };
      expect((await createGraph(s.t, key, graph)).status).toBe(201);
      const res = await runAndWait(s.t, key, name);
      expect(res.body.status).toBe('FAILED');
      const [ask] = (await nodesOf(s.t, res.body.execution_id)).filter((n) => n.node_id === 'ask');
      expect(ask!.error!.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(ask!.error!.message).toContain('never receives a system default key');
    }
    expect(recorder.requests.filter((r) => r.url.startsWith('/v1'))).toEqual([]);
    expect(everythingReceived(recorder)).not.toContain(SYSTEM_OPENAI);
  });

  it('lets a file agent started by its own webhook use operator credentials its file names, to their hosts', async () => {
    const res = await request(s.t.http).post('/webhooks/pr-bot/hook').send({ pr: 7 }).expect(202);
    const row = await finishedExecution(s.t, res.body.execution_id);
    expect(row).toMatchObject({ status: 'COMPLETED', file_trust: true, user_id: bob.user.id });
    const call = recorder.requests.filter((r) => r.url === '/file').at(-1)!;
    expect(call.headers.authorization).toBe(`Bearer ${FILES_KEY}`);
    expect(github.issues.get(7)!.comments).toContain('first');
  });

  it('does not let a non-admin run the same file agent through the API with those credentials', async () => {
    const res = await runAndWait(s.t, bob.key, 'pr-bot');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('no credential named "files-only"');
    expect(res.body.error.message).toContain('no credential named "github-bot"');
  });

  it("admits an admin's API run of the file agent by file trust, but never a name the execute request gives", async () => {
    const before = recorder.requests.filter((r) => r.url === '/file').length;
    const ok = await runAndWait(s.t, ADMIN_KEY, 'pr-bot');
    expect(ok.body.status).toBe('COMPLETED');
    expect(recorder.requests.filter((r) => r.url === '/file').length).toBe(before + 1);
    // files-only admits no role: only the file's own name, through file trust, reaches it.
    const override = await request(s.t.http)
      .post('/api/graphs/admin-llm/execute')
      .set(admin)
      .send({ credentials: { ask: { llm: 'files-only' } } });
    expect(override.status).toBe(400);
    expect(override.body.error.message).toContain('no credential named "files-only"');
    const overridePrBot = await runAndWait(s.t, ADMIN_KEY, 'pr-bot', { credentials: { call: { auth: 'files-only' } } });
    expect(overridePrBot.status).toBe(400);
    expect(overridePrBot.body.error.message).toContain('no credential named "files-only"');
  });

  it('admits a user named in allow.users, and nobody else', async () => {
    expect((await createGraph(s.t, alice.key, httpGraph('alice-ops', `${recorder.url}/alice`, { auth: 'ops-api' }))).status).toBe(201);
    const res = await runAndWait(s.t, alice.key, 'alice-ops');
    expect(res.body.status).toBe('COMPLETED');
    expect(recorder.requests.filter((r) => r.url === '/alice').at(-1)!.headers['ocp-apim-subscription-key']).toBe(OPS_VALUE);
    const bobs = await createGraph(s.t, bob.key, httpGraph('bob-ops', `${recorder.url}/bob`, { auth: 'ops-api' }));
    expect(bobs.status).toBe(400);
    expect(bobs.body.error.message).toContain('no credential named "ops-api"');
  });

  it('refuses to send a credential to a host its hosts do not list, naming credential and host, never the secret', async () => {
    expect((await createGraph(s.t, alice.key, httpGraph('alice-elsewhere', `${elsewhere.url}/x`, { auth: 'ops-api' }))).status).toBe(201);
    const res = await runAndWait(s.t, alice.key, 'alice-elsewhere');
    expect(res.body.status).toBe('FAILED');
    const [call] = (await nodesOf(s.t, res.body.execution_id)).filter((n) => n.node_id === 'call');
    // The block's own code (release 1 wraps it in NODE_FAILED with the code in front of the message).
    expect(`${call!.error!.code} ${call!.error!.message}`).toMatch(/CREDENTIAL_HOST_REFUSED/);
    expect(call!.error!.message).toContain(`Refused to send the credential "ops-api" to http://127.0.0.1:${elsewhere.port}`);
    expect(call!.error!.message).not.toContain(OPS_VALUE);
    expect(elsewhere.requests).toEqual([]);
  });

  it("sends a user's own credential with hosts only there, and one without hosts wherever its block sends it", async () => {
    const create = (name: string, hosts?: string[]) =>
      request(s.t.http)
        .post('/api/integrations/credentials')
        .set('X-API-Key', bob.key)
        .send({ name, provider: 'http', type: 'api_key', secrets: { key: `${name}-secret` }, ...(hosts ? { hosts } : {}) })
        .expect(201);
    await create('bob-bound', [recorder.url]);
    await create('bob-free');
    expect((await createGraph(s.t, bob.key, httpGraph('bob-bound-out', `${elsewhere.url}/bound`, { auth: 'bob-bound' }))).status).toBe(201);
    expect((await createGraph(s.t, bob.key, httpGraph('bob-free-out', `${elsewhere.url}/free`, { auth: 'bob-free' }))).status).toBe(201);
    const bound = await runAndWait(s.t, bob.key, 'bob-bound-out');
    expect(bound.body.status).toBe('FAILED');
    expect(JSON.stringify(bound.body.error)).toContain('CREDENTIAL_HOST_REFUSED');
    expect((await runAndWait(s.t, bob.key, 'bob-free-out')).body.status).toBe('COMPLETED');
    expect(elsewhere.requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/free', 'Bearer bob-free-secret']]);
  });

  it("lets only admins seed a file agent's trigger by hand or run a version that is not the active one (403), and gives an old version no file trust", async () => {
    await s.syncAgent('pr-bot', prBot(recorder, 'second'));
    const seeded = await request(s.t.http)
      .post('/api/graphs/pr-bot/execute')
      .set('X-API-Key', bob.key)
      .send({ trigger: { node: 'hook', outputs: { body: {} } } });
    expect(seeded.status).toBe(403);
    expect(seeded.body.error.message).toContain('Only admins may seed a trigger by hand');
    const old = await runAndWait(s.t, bob.key, 'pr-bot', {}, 1);
    expect(old.status).toBe(403);
    expect(old.body.error.message).toContain('Only admins may run a version that is not the active one');
    // An admin may run it, but an old version gets no file trust: files-only (which admits no role) does not resolve.
    const adminOld = await runAndWait(s.t, ADMIN_KEY, 'pr-bot', {}, 1);
    expect(adminOld.status).toBe(400);
    expect(adminOld.body.error.message).toContain('no credential named "files-only"');
    const adminSeeded = await runAndWait(s.t, ADMIN_KEY, 'pr-bot', { trigger: { node: 'hook', outputs: { body: {} } } });
    expect(adminSeeded.body.status).toBe('COMPLETED');
  });

  it('lists at start-up the operator credentials ordinary users lost, with the API graphs that used them lately', async () => {
    const runs = await s.t.app.get(ExecutionsRepository).recentApiRuns(NOTICE_DAYS);
    const usage = lostCredentialUsage(s.t.config.credentials, runs, s.t.app.get(BlocksRegistry));
    // Admins keep every credential by default: only ordinary users' runs are listed.
    expect(usage.get('default:openai')).toEqual(['bob-llm']);
    expect(usage.has('ops-api')).toBe(true);
    expect(usage.has('files-only')).toBe(false);
  });
});
