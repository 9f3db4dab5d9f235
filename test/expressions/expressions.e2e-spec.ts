// Variables and `${{ }}` expressions end to end: a file agent synced at start-up, its vars overridden by
// config/vars.yaml and config/vars/test.yaml (TRELLIS_ENV=test), run through the execute API; its
// http.request reaches a local server that records the URL and body it got. Also: the vars snapshot on the
// execution, EXPRESSION_FAILED routed to an error link, and a hostile expression that must not block /health.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, makeConfigDir, TEST_ADMIN_KEY, type TestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/wait.js';

interface Received {
  method: string;
  url: string;
  body: string;
}

const ORDERS = (api: string) => `name: orders
vars:
  api: ${api}
  big_order: 100
nodes:
  order: { block: input, inputs: { name: order, type: object } }
  fetch:
    block: http.request
    inputs:
      method: POST
      url: "\${{ vars.api }}/orders/\${{ with.order.id }}"
      json: "\${{ { 'qty': with.order.qty, 'big': with.order.total > vars.big_order, 'run': execution.id, 'source': execution.source } }}"
      headers: { x-note: "total \${{ with.order.total }} of \${{ vars.big_order }}; $\${{ kept }}" }
  status: { block: output, inputs: { name: status } }
  failed: { block: output, inputs: { name: failed } }
links:
  - order.value -> fetch.with.order
  - fetch.status -> status.value
  - fetch.error -> failed.value
`;

// A range inside a range (10^12 steps) and a padding past the value limit: not linear, so both run in the
// sandbox, which stops the first at sandbox.timeout and refuses the second's result.
const HOSTILE = `name: hostile
nodes:
  start: { block: input, inputs: { name: start, type: string } }
  heavy:
    block: json.stringify
    inputs:
      value: "\${{ $sum([1..999999].($count([1..999999]))) & with.start }}"
  huge:
    block: json.stringify
    inputs:
      value: "\${{ $pad(with.start, 50000000) }}"
  out: { block: output, inputs: { name: out } }
  failed: { block: output, inputs: { name: failed } }
links:
  - start.value -> heavy.with.start
  - start.value -> huge.with.start
  - heavy.text -> out.value
  - huge.text -> out.value
  - heavy.error -> failed.value
  - huge.error -> failed.value
`;

describe('vars and ${{ }} expressions through real executions', () => {
  let t: TestApp;
  let server: Server;
  let peer: string;
  const received: Received[] = [];
  const agentsDir = mkdtempSync(join(tmpdir(), 'trellis-expr-agents-'));
  let configDir: string;
  const api = () => request(t.http);

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body: JSON.stringify({ body, note: req.headers['x-note'] }) });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    peer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(join(agentsDir, 'orders.yaml'), ORDERS('https://orders.example.com'));
    writeFileSync(join(agentsDir, 'hostile.yaml'), HOSTILE);
    configDir = makeConfigDir();
    mkdirSync(join(configDir, 'vars'));
    // vars.yaml for every environment, vars/test.yaml for this one (it wins for the same var).
    writeFileSync(join(configDir, 'vars.yaml'), "'*': { big_order: 5 }\norders: { api: https://wrong.example.com }\n");
    writeFileSync(join(configDir, 'vars', 'test.yaml'), `orders: { api: "${peer}" }\n`);
    t = await createTestApp({
      label: 'expressions',
      env: { AGENTS_DIR: agentsDir, TRELLIS_CONFIG_DIR: configDir },
      overrides: { credits: { enabled: false }, http: { allow_private_addresses: true }, gitops: { sync_on_start: true }, sandbox: { timeout: '3s' } },
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(agentsDir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  });

  it('builds the URL from the overridden vars, encodes later parts, keeps the whole expression typed, and stores the vars snapshot', async () => {
    const res = await api()
      .post('/api/graphs/orders/execute?wait=20s')
      .set('X-API-Key', TEST_ADMIN_KEY)
      .send({ inputs: { order: { id: 'a/b c', qty: 2, total: 10 } } });
    expect(res.body).toMatchObject({ status: 'COMPLETED', outputs: { status: [201] } });
    const id = res.body.execution_id as string;
    const got = received.at(-1)!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/orders/a%2Fb%20c');
    const { body, note } = JSON.parse(got.body) as { body: string; note: string };
    expect(JSON.parse(body)).toEqual({ qty: 2, big: true, run: id, source: 'api' });
    expect(note).toBe('total 10 of 5; ${{ kept }}');
    const rows = (await t.dataSource.query('SELECT vars FROM executions WHERE id = $1', [id])) as Array<{ vars: unknown }>;
    expect(rows[0]!.vars).toEqual({ api: peer, big_order: 5 });
  });

  it("re-runs with the first execution's vars snapshot", async () => {
    const [first] = (await t.dataSource.query(
      `SELECT id FROM executions WHERE graph_id = 'orders' AND vars IS NOT NULL ORDER BY created_at LIMIT 1`,
    )) as Array<{ id: string }>;
    // A changed snapshot (as if the config had changed since): the re-run must use the stored one.
    await t.dataSource.query(`UPDATE executions SET vars = $2 WHERE id = $1`, [first!.id, JSON.stringify({ api: peer, big_order: 50 })]);
    const rerun = await api().post(`/api/executions/${first!.id}/rerun`).set('X-API-Key', TEST_ADMIN_KEY);
    expect(rerun.status).toBe(202);
    const done = await waitFor(
      () => api().get(`/api/executions/${rerun.body.id}`).set('X-API-Key', TEST_ADMIN_KEY),
      (r) => r.body.status === 'COMPLETED',
      { what: 'the re-run to complete' },
    );
    expect(done.body.source).toBe('rerun');
    expect(JSON.parse((JSON.parse(received.at(-1)!.body) as { body: string }).body)).toMatchObject({ qty: 2, big: false, source: 'rerun' });
    const rows = (await t.dataSource.query('SELECT vars FROM executions WHERE id = $1', [rerun.body.id])) as Array<{ vars: unknown }>;
    expect(rows[0]!.vars).toEqual({ api: peer, big_order: 50 });
  });

  it('routes EXPRESSION_FAILED, naming the path, when an expression gives no value', async () => {
    const before = received.length;
    const res = await api()
      .post('/api/graphs/orders/execute?wait=20s')
      .set('X-API-Key', TEST_ADMIN_KEY)
      .send({ inputs: { order: { qty: 2, total: 10 } } });
    expect(res.body.status).toBe('COMPLETED');
    expect(res.body.outputs.failed).toEqual([
      { code: 'EXPRESSION_FAILED', message: expect.stringMatching(/\$\{\{ with\.order\.id \}\} in fetch\.inputs\.url \(http\.request\) gave no value/) },
    ]);
    expect(received.length).toBe(before);
  });

  it('runs catastrophic and huge expressions off the event loop: /health answers meanwhile, and both nodes fail with EXPRESSION_FAILED', async () => {
    const started = await api()
      .post('/api/graphs/hostile/execute')
      .set('X-API-Key', TEST_ADMIN_KEY)
      .send({ inputs: { start: 'x' } });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await waitFor(
      () => api().get(`/api/executions/${id}`).set('X-API-Key', TEST_ADMIN_KEY),
      (r) => r.body.node_executions?.some((n: { node_id: string; status: string }) => n.node_id === 'heavy' && n.status === 'RUNNING'),
      { what: 'the heavy node running' },
    );
    const health = await api().get('/health');
    expect(health.status).toBe(200);
    const during = await api().get(`/api/executions/${id}`).set('X-API-Key', TEST_ADMIN_KEY);
    expect(during.body.status).toBe('RUNNING');
    const done = await waitFor(
      () => api().get(`/api/executions/${id}`).set('X-API-Key', TEST_ADMIN_KEY),
      (r) => r.body.status !== 'RUNNING' && r.body.status !== 'QUEUED',
      { what: 'the hostile execution to end', timeoutMs: 20_000 },
    );
    expect(done.body.outputs.failed).toEqual(
      expect.arrayContaining([
        { code: 'EXPRESSION_FAILED', message: expect.stringMatching(/heavy\.inputs\.value \(json\.stringify\) ran past sandbox\.timeout/) },
        {
          code: 'EXPRESSION_FAILED',
          message: expect.stringMatching(/huge\.inputs\.value \(json\.stringify\) gave \d+ bytes, more than executor\.max_value_bytes/),
        },
      ]),
    );
    expect(done.body.outputs.out).toEqual([]);
  });
});

describe('vars overrides at start-up', () => {
  it('refuses to start when config/vars/<env>.yaml overrides a var the agent does not declare', async () => {
    const agents = mkdtempSync(join(tmpdir(), 'trellis-expr-agents-'));
    const config = makeConfigDir();
    // Ours to drop: a start that fails leaves the database to its owner.
    const database = await createTestDatabase('exprstart');
    try {
      writeFileSync(join(agents, 'orders.yaml'), ORDERS('https://orders.example.com'));
      mkdirSync(join(config, 'vars'));
      writeFileSync(join(config, 'vars', 'test.yaml'), 'orders: { apii: https://x.example.com }\n');
      await expect(
        createTestApp({
          label: 'exprstart',
          database,
          env: { AGENTS_DIR: agents, TRELLIS_CONFIG_DIR: config },
          overrides: { gitops: { sync_on_start: true } },
        }),
      ).rejects.toThrow(/vars\/test\.yaml: orders\.apii: overrides a var agent "orders" does not declare it; add "apii:" under the agent's "vars:"/);
    } finally {
      rmSync(agents, { recursive: true, force: true });
      rmSync(config, { recursive: true, force: true });
      await database.drop();
    }
  });
});
