// The execution-finished hook through a real run: AGENT_RUN (off by default) and EXECUTION_FAILED to the
// execution's user, the agent's notify: on_success / on_failure channels, and nothing for CANCELLED.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EXECUTION_FINISHED_HOOK, type ExecutionFinishedHook } from '../../src/executions/execution.hooks.js';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { startHttpPeer, type HttpPeer } from '../blocks/peers/http-peer.js';
import { echoAgent, saveAgent } from '../executions/graphs.fixture.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { configFolder, deliveries, settledDeliveries, type ConfigFolder } from './notify-helpers.js';

describe('notifications of finished executions', () => {
  let t: TestApp;
  let slack: HttpPeer;
  let hook: HttpPeer;
  let folder: ConfigFolder;
  let adminId: string;

  const run = async (agent: string): Promise<string> => {
    const res = await request(t.http)
      .post(`/api/graphs/${agent}/execute`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ inputs: { text: 'hi' } });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await waitFor(
      async () => (await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN_KEY)).body.status,
      (s) => s === 'COMPLETED',
      { what: `execution ${id} to complete` },
    );
    return id;
  };
  const inApp = async () =>
    (await request(t.http).get('/api/notifications').set('X-API-Key', ADMIN_KEY)).body.items as Array<{ kind: string; data: Record<string, unknown> }>;

  beforeAll(async () => {
    slack = await startHttpPeer((_req, res) => void res.writeHead(200).end('ok'));
    hook = await startHttpPeer((_req, res) => void res.writeHead(200).end());
    folder = configFolder(`team-slack:\n  type: slack\n  url: ${slack.url}/services/TEAM\nteam-hook:\n  type: webhook\n  url: ${hook.url}/runs\n`);
    t = await createTestApp({ label: 'notify-exec', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_CONFIG_DIR: folder.dir } });
    adminId = (await request(t.http).get('/api/user').set('X-API-Key', ADMIN_KEY)).body.id as string;
    await saveAgent(t.dataSource, { ...echoAgent('digest'), notify: { on_success: ['team-hook'], on_failure: ['team-slack'] } });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([slack?.close(), hook?.close()]);
    folder?.remove();
  });

  it('sends on_success channels for a completed run, and no AGENT_RUN to the user by default', async () => {
    const id = await run('digest');
    const [row] = await settledDeliveries(t.dataSource, 'execution_id = $1', [id], 1);
    expect(row).toMatchObject({ kind: 'AGENT_RUN', channel_type: 'webhook', channel_name: 'team-hook', status: 'SENT', attempts: 1 });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.json).toMatchObject({
      kind: 'AGENT_RUN',
      title: 'digest completed',
      execution_id: id,
      data: { execution_id: id, graph_id: 'digest', status: 'COMPLETED' },
    });
    expect(slack.requests).toHaveLength(0);
    expect(await inApp()).toEqual([]);
  });

  it('sends AGENT_RUN in-app once the user turns it on', async () => {
    await request(t.http)
      .put('/api/user')
      .set('X-API-Key', ADMIN_KEY)
      .send({ notification_preferences: { AGENT_RUN: ['in_app'] } })
      .expect(200);
    const id = await run('digest');
    const items = await waitFor(inApp, (list) => list.length === 1, { what: 'the AGENT_RUN notification' });
    expect(items[0]).toMatchObject({ kind: 'AGENT_RUN', data: { execution_id: id, graph_id: 'digest', status: 'COMPLETED' } });
  });

  it('sends EXECUTION_FAILED to the user and the on_failure channels; a CANCELLED execution sends nothing', async () => {
    const hookFn = t.app.get<ExecutionFinishedHook>(EXECUTION_FINISHED_HOOK);
    const base = { graph_id: 'digest', graph_version: 1, user_id: adminId, parent_id: null, outputs: null };
    const failedId = '00000000-0000-4000-8000-000000000001';
    await hookFn.finished({ ...base, id: failedId, status: 'FAILED', error: { code: 'NODE_FAILED', message: 'the LLM said no', node_id: 'result' } });
    const [row] = await settledDeliveries(t.dataSource, 'execution_id = $1', [failedId], 1);
    expect(row).toMatchObject({ kind: 'EXECUTION_FAILED', channel_name: 'team-slack', status: 'SENT' });
    expect(slack.requests).toHaveLength(1);
    expect((slack.requests[0]!.json as { text: string }).text).toMatch(/digest failed.*NODE_FAILED: the LLM said no/s);
    const failed = (await inApp()).filter((n) => n.kind === 'EXECUTION_FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ execution_id: failedId, error: { code: 'NODE_FAILED', node_id: 'result' } });

    const before = { notifications: (await inApp()).length, hook: hook.requests.length, slack: slack.requests.length };
    const cancelledId = '00000000-0000-4000-8000-000000000002';
    await hookFn.finished({ ...base, id: cancelledId, status: 'CANCELLED', error: null });
    expect(await deliveries(t.dataSource, 'execution_id = $1', [cancelledId])).toEqual([]);
    expect((await inApp()).length).toBe(before.notifications);
    expect([hook.requests.length, slack.requests.length]).toEqual([before.hook, before.slack]);
  });

  it('never changes the execution when a channel fails', async () => {
    hook.handle((_req, res) => void res.writeHead(410).end('gone'));
    const id = await run('digest');
    const [row] = await settledDeliveries(t.dataSource, 'execution_id = $1', [id], 1);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(row!.last_error).toMatch(/answered 410/);
    const execution = await request(t.http).get(`/api/executions/${id}`).set('X-API-Key', ADMIN_KEY);
    expect(execution.body).toMatchObject({ status: 'COMPLETED', error: null });
  });
});
