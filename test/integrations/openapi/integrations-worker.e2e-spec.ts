// A REAL worker process (the built server, role worker, no agents or integrations folder) follows the
// integrations that the api process syncs, without a restart: a new integration is heard through the event
// bus and run against a local server; a changed base_url and a removed operation are followed; an event that
// never came (a sync without the bus, as `trellis sync` does) is caught up when a job names the integration;
// a removed integration's blocks are gone everywhere; and a block no recorded version provides fails its
// node with INTEGRATION_UNAVAILABLE while the worker keeps running.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { agentsServices } from '../../../src/agents/agents-services.js';
import { AgentsSyncService } from '../../../src/agents/agents-sync.service.js';
import { IntegrationAwareRegistry } from '../../../src/blocks/integrations/integration-blocks.js';
import { BLOCK_LIBRARY } from '../../../src/blocks/library/index.js';
import { lines, removeFile, removeFolder, tempFolder, writeFile } from '../../agents/sync-helpers.js';
import { sendJson, startHttpPeer, type HttpPeer } from '../../blocks/peers/http-peer.js';
import { link, node, saveAgent } from '../../executions/graphs.fixture.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { ensureBuilt } from '../../helpers/built.js';
import { ServerProcesses, type ServerProcess } from '../../helpers/server-process.js';
import { waitFor } from '../../helpers/wait.js';

const ADMIN = 'test-admin-key-integrations-worker';
const FINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** An OpenAPI 3.1 document with getThing, and listThings unless `withoutList`. */
function document(withoutList = false): string {
  return lines(
    'openapi: 3.1.0',
    'info: { title: Things, version: "1" }',
    'paths:',
    '  /things/{id}:',
    '    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
    '    get:',
    '      operationId: getThing',
    '      responses: { "200": { description: ok } }',
    ...(withoutList ? [] : ['  /things:', '    get:', '      operationId: listThings', '      responses: { "200": { description: ok } }']),
  );
}

const integration = (name: string, peer: HttpPeer) => lines(`name: ${name}`, `openapi: docs/${name}.yaml`, `base_url: ${peer.url}/v1`, 'allow_private: true');

/** An agent file whose node `call` runs `block` for thing `id`; its output `status`. */
const agentFile = (name: string, block: string) =>
  lines(
    'name: ' + name,
    'nodes:',
    '  call:',
    `    block: ${block}`,
    `    inputs: { id: ${name} }`,
    '  out:',
    '    block: output',
    '    inputs: { name: status }',
    'links:',
    '  - call.status -> out.value',
  );

describe('integrations followed by a separate worker process', () => {
  let t: TestApp;
  let dir: string;
  let first: HttpPeer;
  let second: HttpPeer;
  let servers: ServerProcesses | undefined;
  let worker: ServerProcess;

  /** The worker's log lines (pino JSON) that mention `integration`. */
  const heard = (name: string) =>
    worker
      .output()
      .split('\n')
      .filter((line) => line.includes(`"integration":"${name}"`))
      .map((line) => JSON.parse(line) as { version: number; msg: string });

  /** Executes `graph` through the api process; answers the execution and its `call` node once it ended. */
  async function run(graph: string) {
    const res = await request(t.http).post(`/api/graphs/${graph}/execute`).set('X-API-Key', ADMIN).send({ inputs: {} });
    expect({ status: res.status, body: res.status === 202 ? null : res.body }).toEqual({ status: 202, body: null });
    const [execution] = await waitFor(
      () => t.dataSource.query(`SELECT status, outputs, error FROM executions WHERE id = $1`, [res.body.id]),
      (rows: Array<{ status: string }>) => FINAL.includes(rows[0]?.status ?? ''),
      { timeoutMs: 30_000, what: `the worker to finish ${graph}` },
    );
    const calls = (await t.dataSource.query(`SELECT status, error FROM node_executions WHERE execution_id = $1 AND node_id = 'call'`, [res.body.id])) as Array<{
      status: string;
      error: { code: string; message: string } | null;
    }>;
    expect(calls).toHaveLength(1);
    return { execution: execution as { status: string; outputs: unknown }, call: calls[0]! };
  }

  /** A graph version naming `block`, stored as an older release or an API graph would have left it. */
  const storeGraph = (name: string, block: string) =>
    saveAgent(t.dataSource, {
      name,
      nodes: { call: node(block, { id: 'x' }), out: node('output', { name: 'status' }) },
      links: [link('call.status', 'out.value')],
    });

  const paths = (peer: HttpPeer) => peer.requests.map((r) => `${r.method} ${r.url}`);

  beforeAll(async () => {
    await ensureBuilt(); // the worker is the built server (node dist/src/main.js)
    first = await startHttpPeer((req, res) => sendJson(res, 200, { url: req.url, server: 'first' }));
    second = await startHttpPeer((req, res) => sendJson(res, 200, { url: req.url, server: 'second' }));
    dir = tempFolder('integrations-worker');
    writeFile(dir, 'agents/.keep', '');
    writeFile(dir, 'integrations/.keep', '');
    t = await createTestApp({
      label: 'intworker',
      redis: true,
      role: 'api',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN, AGENTS_DIR: join(dir, 'agents'), INTEGRATIONS_DIR: join(dir, 'integrations') },
      // The worker boots beside the app. It reads an integration's newest version at most every second
      // (gitops.integrations_recheck; 5 s by default): the lost event's change below is caught up within that.
      beforeBoot: (app) => {
        servers = new ServerProcesses({
          app,
          logLevel: 'info',
          captureStdout: true,
          env: { TRELLIS_ADMIN_API_KEY: ADMIN, TRELLIS_GITOPS__INTEGRATIONS_RECHECK: '1s' },
        });
        worker = servers.start('worker', {
          // No agents folder and no integrations folder: everything it knows of integrations comes from the database.
          AGENTS_DIR: join(dir, 'worker-has-no-agents'),
          INTEGRATIONS_DIR: join(dir, 'worker-has-no-integrations'),
        });
      },
    });
    await waitFor(
      () => worker.output(),
      (text) => text.includes('execution worker started') || worker.child.exitCode !== null,
      { timeoutMs: 90_000, what: 'the worker to start' },
    );
    expect(worker.child.exitCode).toBeNull();
  }, 300_000);

  afterAll(async () => {
    await servers?.killAll();
    await t?.close();
    await first?.close();
    await second?.close();
    if (dir) removeFolder(dir);
  });

  const syncThroughApi = () => t.app.get(AgentsSyncService).sync({ trigger: 'api' });

  it('runs an integration synced after it started: the event tells it, no restart', async () => {
    writeFile(dir, 'integrations/things.yaml', integration('things', first));
    writeFile(dir, 'integrations/docs/things.yaml', document());
    writeFile(dir, 'agents/fetch-thing.yaml', agentFile('fetch-thing', 'things.get_thing'));
    const sync = await syncThroughApi();
    expect(sync.integrations).toEqual([expect.objectContaining({ name: 'things', action: 'create', version: 1 })]);
    // Loaded from the event, before any job names it.
    await waitFor(
      () => heard('things'),
      (lines) => lines.some((l) => l.version === 1 && l.msg.includes('loaded')),
      { timeoutMs: 15_000, what: 'the worker to load things version 1' },
    );

    const { execution, call } = await run('fetch-thing');
    expect(execution).toMatchObject({ status: 'COMPLETED', outputs: { status: [200] } });
    expect(call).toEqual({ status: 'COMPLETED', error: null });
    expect(paths(first)).toEqual(['GET /v1/things/fetch-thing']);
  }, 60_000);

  it('follows a new base_url and a removed operation (version 2)', async () => {
    writeFile(dir, 'integrations/things.yaml', integration('things', second));
    writeFile(dir, 'integrations/docs/things.yaml', document(true));
    const sync = await syncThroughApi();
    expect(sync.integrations).toEqual([
      expect.objectContaining({ name: 'things', action: 'update', version: 2, operations: expect.objectContaining({ removed: ['things.list_things'] }) }),
    ]);
    await waitFor(
      () => heard('things'),
      (lines) => lines.some((l) => l.version === 2),
      { timeoutMs: 15_000, what: 'the worker to load things version 2' },
    );

    const { execution } = await run('fetch-thing');
    expect(execution).toMatchObject({ status: 'COMPLETED', outputs: { status: [200] } });
    expect(paths(second)).toEqual(['GET /v1/things/fetch-thing']);
    expect(paths(first)).toHaveLength(1);

    // A graph version that still names the removed operation: its node fails with the reason, nothing is sent.
    await storeGraph('old-lister', 'things.list_things');
    const stale = await run('old-lister');
    expect(stale.execution.status).toBe('FAILED');
    expect(stale.call).toMatchObject({ status: 'FAILED', error: { code: 'INTEGRATION_UNAVAILABLE' } });
    expect(stale.call.error!.message).toContain('integration "things" (version 2) has no such operation');
    expect(paths(second)).toHaveLength(1);
  }, 60_000);

  it('catches up on demand when the event is lost: a new integration when a job names it, a change within seconds', async () => {
    writeFile(dir, 'integrations/weather.yaml', integration('weather', first));
    writeFile(dir, 'integrations/docs/weather.yaml', document());
    writeFile(dir, 'agents/forecast.yaml', agentFile('forecast', 'weather.get_thing'));
    // As `trellis sync` does: the versions are recorded, and no process is told.
    const offline = () => {
      const registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, { integrations: [], blocks: [], problems: [], failed: [] }, t.config.costs);
      return agentsServices(t.dataSource, t.config, registry).syncs.sync({ trigger: 'cli' });
    };
    expect((await offline()).integrations).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'weather', action: 'create', version: 1 })]));
    expect(heard('weather')).toEqual([]);

    const { execution } = await run('forecast');
    expect(execution).toMatchObject({ status: 'COMPLETED', outputs: { status: [200] } });
    expect(paths(first)).toContain('GET /v1/things/forecast');
    expect(heard('weather')).toEqual([expect.objectContaining({ version: 1 })]);

    // The agent is unchanged (its compiled graph is held); the integration moves to the second server, unheard.
    writeFile(dir, 'integrations/weather.yaml', integration('weather', second));
    expect((await offline()).integrations).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'weather', action: 'update', version: 2 })]));
    const started = Date.now();
    await waitFor(async () => (await run('forecast')).execution.status === 'COMPLETED' && paths(second).includes('GET /v1/things/forecast'), Boolean, {
      timeoutMs: 25_000,
      intervalMs: 500,
      what: 'a run of forecast to reach the second server',
    });
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(heard('weather').map((l) => l.version)).toEqual([1, 2]);
  }, 90_000);

  it('drops a removed integration everywhere: the api lists none of its blocks, and a job naming one fails its node', async () => {
    removeFile(dir, 'integrations/weather.yaml');
    removeFile(dir, 'agents/forecast.yaml');
    const sync = await syncThroughApi();
    expect(sync.integrations).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'weather', action: 'remove', version: 3 })]));
    await waitFor(
      () => heard('weather'),
      (lines) => lines.some((l) => l.version === 3 && l.msg.includes('removed')),
      { timeoutMs: 15_000, what: 'the worker to drop weather' },
    );
    const blocks = await request(t.http).get('/api/blocks').set('X-API-Key', ADMIN).expect(200);
    expect(JSON.stringify(blocks.body)).not.toContain('"weather.');
    expect(JSON.stringify(blocks.body)).toContain('"things.get_thing"');

    await storeGraph('old-forecast', 'weather.get_thing');
    const before = paths(first).length + paths(second).length;
    const { execution, call } = await run('old-forecast');
    expect(execution.status).toBe('FAILED');
    expect(call).toMatchObject({ status: 'FAILED', error: { code: 'INTEGRATION_UNAVAILABLE' } });
    expect(call.error!.message).toContain('integration "weather" was removed (version 3)');
    expect(paths(first).length + paths(second).length).toBe(before);
  }, 60_000);

  it('fails the node of a block whose integration has no recorded version, and keeps running', async () => {
    await storeGraph('ghost-caller', 'ghost.get_thing');
    const { execution, call } = await run('ghost-caller');
    expect(execution.status).toBe('FAILED');
    expect(call).toMatchObject({ status: 'FAILED', error: { code: 'INTEGRATION_UNAVAILABLE' } });
    expect(call.error!.message).toContain('integration "ghost" has no recorded version in this deployment');
    expect(call.error!.message).toContain('add integrations/ghost.yaml');

    expect(worker.child.exitCode).toBeNull();
    expect((await run('fetch-thing')).execution.status).toBe('COMPLETED');
  }, 60_000);

  it('a worker started later serves the recorded integrations from start-up, before any job names them', async () => {
    const later = servers!.start('worker', { INTEGRATIONS_DIR: join(dir, 'worker-has-no-integrations') });
    try {
      await waitFor(
        () => later.output(),
        (text) => text.includes('execution worker started') || later.child.exitCode !== null,
        { timeoutMs: 90_000, what: 'the second worker to start' },
      );
      const loaded = later
        .output()
        .split('\n')
        .filter((line) => line.includes('"component":"IntegrationBlocksService"'))
        .map((line) => JSON.parse(line) as { integration: string; version: number; msg: string });
      // things at its newest version; weather, removed, loads nothing and says nothing.
      expect(loaded).toEqual([expect.objectContaining({ integration: 'things', version: 2, msg: expect.stringContaining('loaded') })]);
    } finally {
      await later.kill();
    }
  }, 120_000);
});
