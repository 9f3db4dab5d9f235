// On a redirect to another origin, every header the client added from a credential is dropped, whatever
// its name (release 1 forwarded Ocp-Apim-Subscription-Key, which no list of "auth" names caught); on the
// same origin it is kept. Two real servers record what they receive.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { createGraph, createSecurityApp, runAndWait, startRecorder, type SecurityApp } from './security-app.js';

const SECRET = 'subscription-secret-0005';

describe('credential headers on redirects', () => {
  let s: SecurityApp;
  let origin: HttpPeer;
  let other: HttpPeer;
  let alice: MadeUser;

  beforeAll(async () => {
    other = await startRecorder();
    origin = await startHttpPeer((req, res) => {
      if (req.url === '/to-other') return void res.writeHead(302, { location: `${other.url}/landed` }).end();
      if (req.url === '/to-same') return void res.writeHead(307, { location: '/landed' }).end();
      return sendJson(res, 200, { ok: true });
    });
    s = await createSecurityApp('redirects', '');
    alice = await makeUser(s.t, 'alice');
    await request(s.t.http)
      .post('/api/integrations/credentials')
      .set('X-API-Key', alice.key)
      .send({ name: 'azure-key', provider: 'http', type: 'header', secrets: { name: 'Ocp-Apim-Subscription-Key', value: SECRET } })
      .expect(201);
    for (const [name, path] of [
      ['to-other', '/to-other'],
      ['to-same', '/to-same'],
    ] as const) {
      const graph = {
        name,
        nodes: {
          call: { block: 'http.request', inputs: { url: `${origin.url}${path}` }, credentials: { auth: 'azure-key' } },
          status: { block: 'output', inputs: { name: 'status' } },
        },
        links: ['call.status -> status.value'],
      };
      expect((await createGraph(s.t, alice.key, graph)).status).toBe(201);
    }
  });

  afterAll(async () => {
    await s?.close();
    await Promise.all([origin?.close(), other?.close()]);
  });

  it('drops a credential header of any name on a redirect to another origin', async () => {
    const res = await runAndWait(s.t, alice.key, 'to-other');
    expect(res.body.status).toBe('COMPLETED');
    expect(origin.requests.find((r) => r.url === '/to-other')!.headers['ocp-apim-subscription-key']).toBe(SECRET);
    const landed = other.requests.filter((r) => r.url === '/landed');
    expect(landed).toHaveLength(1);
    expect(landed[0]!.headers).not.toHaveProperty('ocp-apim-subscription-key');
    expect(JSON.stringify(other.requests)).not.toContain(SECRET);
  });

  it('keeps it on a redirect within the same origin', async () => {
    const res = await runAndWait(s.t, alice.key, 'to-same');
    expect(res.body.status).toBe('COMPLETED');
    const landed = origin.requests.filter((r) => r.url === '/landed');
    expect(landed).toHaveLength(1);
    expect(landed[0]!.headers['ocp-apim-subscription-key']).toBe(SECRET);
  });
});
