// credits.enabled: false: nothing is charged or checked: no 402, no USAGE rows, costs stay 0.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EXECUTION_CHARGE_HOOK, type ExecutionChargeHook } from '../../src/executions/execution.hooks.js';
import { createCreditsTestApp, type CreditsTestApp } from './credits-app.js';
import { ADMIN_KEY, balanceOf, ledger, makeUser, saveOneNodeAgent, type MadeUser } from './credits.fixtures.js';

describe('credits switched off', () => {
  let t: CreditsTestApp;
  let broke: MadeUser;

  beforeAll(async () => {
    t = await createCreditsTestApp('creditsoff', { env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY }, overrides: { credits: { enabled: false } } });
    await saveOneNodeAgent(t.dataSource, 'bang');
    broke = await makeUser(t, 'broke', { credits: 0 });
  });
  afterAll(async () => t?.close());

  it('says so in GET /api/user/credits', async () => {
    const res = await request(t.http).get('/api/user/credits').set('X-API-Key', broke.key);
    expect(res.body).toEqual({ balance: 0, low_balance_threshold: 100, enabled: false });
  });

  it('runs executions of a user with no credits: no 402, no charge, cost 0', async () => {
    const res = await request(t.http)
      .post('/api/graphs/bang/execute?wait=10s')
      .set('X-API-Key', broke.key)
      .send({ inputs: { text: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'COMPLETED', outputs: { result: ['hi!'] } });
    const detail = await request(t.http).get(`/api/executions/${res.body.execution_id}`).set('X-API-Key', broke.key);
    expect(detail.body.cost).toBe(0);
    expect(detail.body.node_executions.every((n: { cost: number }) => n.cost === 0)).toBe(true);
    expect(await ledger(t.dataSource, broke.user.id)).toEqual([]);
    expect(await balanceOf(t.http, broke.key)).toBe(0);
    expect(t.alerts).toEqual([]);
  });

  it('runs POST /api/blocks/{id}/execute without charging', async () => {
    const res = await request(t.http)
      .post('/api/blocks/code.js/execute')
      .set('X-API-Key', broke.key)
      .send({ inputs: { code: 'return 3;' } });
    expect(res.status).toBe(200);
    expect(await ledger(t.dataSource, broke.user.id)).toEqual([]);
  });

  it('has the charge hook take nothing, even from an account that could pay', async () => {
    const hook = t.app.get<ExecutionChargeHook>(EXECUTION_CHARGE_HOOK);
    const rich = await makeUser(t, 'rich', { credits: 10 });
    const answer = await hook.charge({
      executionId: '00000000-0000-4000-8000-000000000001',
      nodeExecutionId: '00000000-0000-4000-8000-000000000002',
      attempt: 1,
      userId: rich.user.id,
      blockId: 'code.js',
      inputs: {},
    });
    expect(answer).toEqual({ amount: 0 });
    expect(await balanceOf(t.http, rich.key)).toBe(10);
    expect((await ledger(t.dataSource, rich.user.id)).map((r) => r.type)).toEqual(['GRANT']);
  });
});
