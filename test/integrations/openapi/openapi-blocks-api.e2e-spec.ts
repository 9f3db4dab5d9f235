// The server loads the integrations folder at start-up: GET /api/blocks lists one block per operation, and
// POST /api/blocks/{id}/execute runs one against a local server (base_url with allow_private: true).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { tempProject } from '../../agents/fixtures/cli.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../../blocks/peers/http-peer.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

// See openapi-integrations.spec.ts: jest's realm and the parser's plain-object check.
globalThis.structuredClone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const OAS = dirname(createRequire(import.meta.url).resolve('@readme/oas-examples/package.json'));
const ADMIN_KEY = 'test-admin-key-openapi-blocks-0123456789';

describe('integration blocks in the server', () => {
  let peer: HttpPeer;
  let project: { dir: string; remove(): void };
  let t: TestApp;

  beforeAll(async () => {
    peer = await startHttpPeer((req, res) => sendJson(res, 200, { id: Number(req.url.split('/').pop()), name: 'Rex' }));
    project = tempProject({
      'integrations/pets.yaml': `name: pets\nopenapi: docs/pets.yaml\nbase_url: ${peer.url}\nallow_private: true\n`,
      'integrations/docs/pets.yaml': readFileSync(join(OAS, '3.1/yaml/petstore-simple.yaml'), 'utf8'),
    });
    t = await createTestApp({ label: 'openapi-blocks', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, INTEGRATIONS_DIR: join(project.dir, 'integrations') } });
  });
  afterAll(async () => {
    await t.close();
    await peer.close();
    project.remove();
  });

  it('lists the operations as blocks and runs one', async () => {
    const list = await request(t.http).get('/api/blocks').set('X-API-Key', ADMIN_KEY).expect(200);
    expect(JSON.stringify(list.body)).toContain('"pets.get_pet_id"');
    const res = await request(t.http)
      .post('/api/blocks/pets.get_pet_id/execute')
      .set('X-API-Key', ADMIN_KEY)
      .send({ inputs: { id: 5 } })
      .expect(200);
    expect(res.body.outputs).toEqual(
      expect.arrayContaining([
        { pin: 'status', value: 200 },
        { pin: 'json', value: { id: 5, name: 'Rex' } },
      ]),
    );
    expect(peer.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /pet/5']);
  });
});
