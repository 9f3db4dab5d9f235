// Secrets never leave an attempt (release-2.md section 1): a user's credentials that end up in a block's
// error message or output (a header value the HTTP client refuses and echoes; a server that answers 401
// echoing the Authorization header) are stored, answered, notified and logged as `[secret:<name>]`, never
// raw, base64- or URL-encoded.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CredentialsService } from '../../src/integrations/credentials.service.js';
import { waitFor } from '../helpers/wait.js';
import { createIntegrationsApp, everyRowAsText, makeUser, type IntegrationsApp, type MadeUser } from '../integrations/integrations-app.js';

const CANARY = `cnry${randomBytes(6).toString('hex')}`;
const KEY = `key/${CANARY}+=&`;
const PASSWORD = `pw-${CANARY}`;
// A value release 1 accepted and stored; the HTTP client refuses it and quotes it in its error.
const BAD_HEADER = `hdr-${CANARY}\nline2`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Every written form of every secret: none may appear anywhere. */
const FORBIDDEN = [CANARY, ...[KEY, PASSWORD, BAD_HEADER, `ada:${PASSWORD}`].flatMap((s) => [b64(s), b64(s).replace(/=+$/, '')])];
const leaks = (text: string) => FORBIDDEN.filter((form) => text.includes(form));

describe('secrets in errors, outputs, answers, notifications and logs', () => {
  let t: IntegrationsApp;
  let ada: MadeUser;
  let peer: Server;
  let peerUrl: string;
  const hooks: string[] = [];

  beforeAll(async () => {
    // /echo answers 401 quoting the Authorization header (and its token's base64 and URL forms), like a chatty API.
    peer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/hook') {
          hooks.push(Buffer.concat(chunks).toString('utf8'));
          return void res.writeHead(200).end('ok');
        }
        const auth = req.headers.authorization ?? '';
        // The token a Bearer header carries, or the password of a Basic one.
        const token = auth.startsWith('Basic ')
          ? Buffer.from(auth.slice(6), 'base64')
              .toString('utf8')
              .replace(/^[^:]*:/, '')
          : auth.replace(/^Bearer /, '');
        res.writeHead(401, { 'content-type': 'text/plain' }).end(`denied: authorization=${auth} base64=${b64(token)} url=${encodeURIComponent(token)}`);
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
    t = await createIntegrationsApp({ label: 'secleak', overrides: { credits: { enabled: false }, http: { allow_private_addresses: true } } });
    ada = await makeUser(t.http, 'ada');
    const creds = '/api/integrations/credentials';
    const post = (body: object) => request(t.http).post(creds).set('X-API-Key', ada.key).send(body).expect(201);
    await post({ name: 'api-echo', provider: 'http', type: 'api_key', secrets: { key: KEY } });
    await post({ name: 'basic-echo', provider: 'http', type: 'user_password', secrets: { username: 'ada', password: PASSWORD } });
    await post({ name: 'notifications-webhook', provider: 'webhook', type: 'secret_url', secrets: { url: `${peerUrl}/hook` } });
    // Stored as a release-1 database may hold it (the API of release 2 refuses control characters).
    await t.app.get(CredentialsService).create(ada.id, {
      name: 'bad-header',
      provider: 'http',
      type: 'header',
      secrets: { fields: { name: 'X-Token', value: BAD_HEADER }, metadata: {} },
      hosts: null,
    });
    await request(t.http)
      .put('/api/user')
      .set('X-API-Key', ada.key)
      .send({ notification_preferences: { EXECUTION_FAILED: ['in_app', 'webhook'], AGENT_RUN: [] } })
      .expect(200);
    for (const credential of ['api-echo', 'basic-echo', 'bad-header']) {
      const graph = {
        name: `leaky-${credential}`,
        nodes: {
          url: { block: 'input', inputs: { name: 'url', type: 'string' } },
          fail: { block: 'input', inputs: { name: 'fail', type: 'boolean', default: true } },
          call: { block: 'http.request', inputs: {}, credentials: { auth: credential } },
          body: { block: 'output', inputs: { name: 'body' } },
        },
        links: ['url.value -> call.url', 'fail.value -> call.fail_on_status', 'call.body -> body.value'],
      };
      const created = await request(t.http).post('/api/graphs').set('X-API-Key', ada.key).send(graph);
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => peer?.close(resolve));
  });

  const execute = (credential: string, lax = false) =>
    request(t.http)
      .post(`/api/graphs/leaky-${credential}/execute?wait=10s`)
      .set('X-API-Key', ada.key)
      .send({ inputs: { url: `${peerUrl}/echo`, fail: !lax } });

  it.each([
    ['api-echo', 'a 401 body quoting the Bearer token'],
    ['basic-echo', 'a 401 body quoting the Basic header'],
    ['bad-header', 'the HTTP client quoting a header value it refuses'],
  ])('%s: %s is stored, answered and notified as [secret:<name>]', async (credential) => {
    const answer = await execute(credential);
    expect(answer.body.status).toBe('FAILED');
    expect(answer.body.error.message).toContain(`[secret:${credential}]`);
    expect(leaks(answer.text)).toEqual([]);

    const id = answer.body.execution_id as string;
    const detail = await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ada.key).expect(200);
    expect(JSON.stringify(detail.body)).toContain(`[secret:${credential}]`);
    expect(leaks(detail.text)).toEqual([]);
    const stored: Array<{ error: unknown }> = await t.dataSource.query(`SELECT error FROM node_executions WHERE execution_id = $1 AND node_id = 'call'`, [id]);
    expect(JSON.stringify(stored[0]!.error)).toContain(`[secret:${credential}]`);

    const hook = await waitFor(
      () => hooks.find((body) => body.includes(id)),
      (found) => found !== undefined,
      { what: `the webhook notification of ${id}` },
    );
    expect(hook).toContain(`[secret:${credential}]`);
    expect(leaks(hook!)).toEqual([]);
    const inApp = await request(t.http).get('/api/notifications').set('X-API-Key', ada.key).expect(200);
    const mine = (inApp.body.items as Array<{ body: string }>).find((item) => item.body.includes(id));
    expect(mine?.body).toContain(`[secret:${credential}]`);
  });

  it('a yielded body that quotes the key is stored and answered scrubbed', async () => {
    const answer = await execute('api-echo', true);
    expect(answer.body.status).toBe('COMPLETED');
    expect(answer.body.outputs.body[0]).toBe('denied: authorization=[secret:api-echo] base64=[secret:api-echo] url=[secret:api-echo]');
    const results = await request(t.http).get(`/api/executions/${answer.body.execution_id}/results`).set('X-API-Key', ada.key).expect(200);
    expect(JSON.stringify(results.body)).toContain('[secret:api-echo]');
    expect(leaks(results.text)).toEqual([]);
  });

  it('POST /api/blocks/http.request/execute answers errors and outputs scrubbed', async () => {
    const run = (fail: boolean) =>
      request(t.http)
        .post('/api/blocks/http.request/execute')
        .set('X-API-Key', ada.key)
        .send({ inputs: { url: `${peerUrl}/echo`, fail_on_status: fail }, credentials: { auth: 'api-echo' } });
    const failed = await run(true);
    expect(failed.status).toBe(422);
    expect(failed.body.error.message).toContain('[secret:api-echo]');
    expect(JSON.stringify(failed.body.error.details)).toContain('[secret:api-echo]');
    expect(leaks(failed.text)).toEqual([]);
    const ok = await run(false);
    expect(ok.status).toBe(200);
    expect(ok.body.outputs.find((o: { pin: string }) => o.pin === 'body').value).toContain('[secret:api-echo]');
    expect(leaks(ok.text)).toEqual([]);
  });

  it('no row of any table and no log line holds a secret in any form', async () => {
    const rows = await everyRowAsText(t.dataSource);
    expect(rows.filter(({ row }) => leaks(row).length > 0)).toEqual([]);
    expect(rows.some(({ table, row }) => table === 'notifications' && row.includes('[secret:bad-header]'))).toBe(true);
    expect(t.logLines.length).toBeGreaterThan(0);
    expect(t.logLines.filter((line) => leaks(line).length > 0)).toEqual([]);
  });
});
