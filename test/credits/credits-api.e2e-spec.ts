// The credits API and charging end to end on the real app: initial grants, balance and ledger (cursor
// pagination), admin credits and their refusals, the charge hook (idempotent per attempt, refusals,
// alerts once per crossing), refunds, and POST /api/blocks/{id}/execute paying its cost.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CreditsService } from '../../src/credits/credits.service.js';
import { EXECUTION_CHARGE_HOOK, type ChargeRequest, type ExecutionChargeHook } from '../../src/executions/execution.hooks.js';
import { createCreditsTestApp, type CreditsTestApp } from './credits-app.js';
import { ADMIN_KEY, balanceOf, ledger, makeUser } from './credits.fixtures.js';

describe('credits API and charges', () => {
  let t: CreditsTestApp;
  let hook: ExecutionChargeHook;
  let credits: CreditsService;
  const api = () => request(t.http);
  const attempt = (userId: string, extra: Partial<ChargeRequest> = {}): ChargeRequest => ({
    executionId: randomUUID(),
    nodeExecutionId: randomUUID(),
    attempt: 1,
    userId,
    blockId: 'code.js',
    inputs: { code: 'return 1;' },
    ...extra,
  });

  beforeAll(async () => {
    t = await createCreditsTestApp('creditsapi', { env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY } });
    hook = t.app.get<ExecutionChargeHook>(EXECUTION_CHARGE_HOOK);
    credits = t.app.get(CreditsService);
  });
  afterAll(async () => t?.close());

  it('opens every new user, admin included, with the initial grant in the ledger', async () => {
    const ada = await makeUser(t, 'ada');
    const res = await api().get('/api/user/credits').set('X-API-Key', ada.key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ balance: 1000, low_balance_threshold: 100, enabled: true });
    const ledgerPage = await api().get('/api/user/credits/transactions').set('X-API-Key', ada.key);
    expect(ledgerPage.body).toEqual({
      items: [
        {
          id: expect.any(String),
          type: 'GRANT',
          amount: 1000,
          running_balance: 1000,
          reason: 'initial grant',
          execution_id: null,
          node_execution_id: null,
          attempt: null,
          block: null,
          created_at: expect.any(String),
        },
      ],
      next_cursor: null,
    });
    expect(new Date(ledgerPage.body.items[0].created_at).toISOString()).toBe(ledgerPage.body.items[0].created_at);
    expect(await balanceOf(t.http, ADMIN_KEY)).toBe(1000);
    const custom = await makeUser(t, 'custom', { credits: 25 });
    expect(await balanceOf(t.http, custom.key)).toBe(25);
  });

  it('lets an admin grant, top up and refund, answering the transaction and the new balance', async () => {
    const bob = await makeUser(t, 'bob', { credits: 0 });
    const grant = await api()
      .post(`/api/admin/users/${bob.user.id}/credits`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ type: 'GRANT', amount: 50, reason: 'welcome' });
    expect(grant.status).toBe(201);
    expect(grant.body).toEqual({
      transaction: {
        id: expect.any(String),
        type: 'GRANT',
        amount: 50,
        running_balance: 50,
        reason: 'welcome',
        execution_id: null,
        node_execution_id: null,
        attempt: null,
        block: null,
        created_at: expect.any(String),
      },
      balance: 50,
    });
    const topUp = await api().post(`/api/admin/users/${bob.user.id}/credits`).set('X-API-Key', ADMIN_KEY).send({ type: 'TOP_UP', amount: 25 });
    expect(topUp.body).toMatchObject({ transaction: { type: 'TOP_UP', amount: 25, running_balance: 75, reason: null }, balance: 75 });
    const refund = await api()
      .post(`/api/admin/users/${bob.user.id}/credits`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ type: 'REFUND', amount: 5, reason: 'outage' });
    expect(refund.body).toMatchObject({ transaction: { type: 'REFUND', amount: 5, running_balance: 80 }, balance: 80 });
    expect(await balanceOf(t.http, bob.key)).toBe(80);
    const rows = await ledger(t.dataSource, bob.user.id);
    expect(rows.map((r) => [r.type, r.amount, r.running_balance])).toEqual([
      ['GRANT', 50, 50],
      ['TOP_UP', 25, 75],
      ['REFUND', 5, 80],
    ]);
  });

  it('refuses bad admin credits with a clear 400, an unknown user with 404, a non-admin with 403', async () => {
    const carol = await makeUser(t, 'carol');
    const post = (body: unknown, key = ADMIN_KEY, userId = carol.user.id) =>
      api()
        .post(`/api/admin/users/${userId}/credits`)
        .set('X-API-Key', key)
        .send(body as object);
    for (const body of [{ type: 'USAGE', amount: 5 }, { type: 'GIFT', amount: 5 }, { amount: 5 }]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.problems).toEqual([{ pointer: '/type', message: expect.stringContaining('GRANT') }]);
    }
    for (const amount of [0, -3, 1.5, '5', null]) {
      const res = await post({ type: 'TOP_UP', amount });
      expect(res.status).toBe(400);
      expect(res.body.error.details.problems[0]).toMatchObject({ pointer: '/amount', message: expect.stringContaining('whole number') });
    }
    const extra = await post({ type: 'TOP_UP', amount: 5, user: 'x' });
    expect(extra.status).toBe(400);
    const unknown = await post({ type: 'TOP_UP', amount: 5 }, ADMIN_KEY, 'nobody-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', details: { user_id: 'nobody-here' } });
    expect(unknown.body.error.message).toMatch(/GET \/api\/admin\/users/);
    // A user whose account row is missing (made before accounts existed) gets one opened by the credit.
    const kim = await makeUser(t, 'kim');
    await t.dataSource.query(`DELETE FROM credit_transactions WHERE user_id = $1`, [kim.user.id]);
    await t.dataSource.query(`DELETE FROM credit_balances WHERE user_id = $1`, [kim.user.id]);
    expect((await post({ type: 'GRANT', amount: 7 }, ADMIN_KEY, kim.user.id)).body).toMatchObject({
      transaction: { type: 'GRANT', amount: 7, running_balance: 7 },
      balance: 7,
    });
    const forbidden = await post({ type: 'TOP_UP', amount: 5 }, carol.key);
    expect(forbidden.status).toBe(403);
    expect(await balanceOf(t.http, carol.key)).toBe(1000);
  });

  it("pages the ledger newest first with cursors, and shows only the caller's own", async () => {
    const dan = await makeUser(t, 'dan', { credits: 1 });
    for (let i = 1; i <= 4; i++) await credits.adminCredit(dan.user.id, 'TOP_UP', i, `top-up ${i}`);
    const seen: Array<{ id: string; type: string; amount: number; running_balance: number }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await api()
        .get(`/api/user/credits/transactions?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('X-API-Key', dan.key);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((r) => [r.type, r.amount, r.running_balance])).toEqual([
      ['TOP_UP', 4, 11],
      ['TOP_UP', 3, 7],
      ['TOP_UP', 2, 4],
      ['TOP_UP', 1, 2],
      ['GRANT', 1, 1],
    ]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(5);
    const all = await api().get('/api/user/credits/transactions').set('X-API-Key', dan.key);
    expect(all.body.next_cursor).toBeNull();
    expect(all.body.items).toHaveLength(5);
    expect((await api().get('/api/user/credits/transactions?cursor=garbage').set('X-API-Key', dan.key)).body.error.code).toBe('BAD_REQUEST');
    for (const limit of ['0', '201', 'ten']) {
      const bad = await api().get(`/api/user/credits/transactions?limit=${limit}`).set('X-API-Key', dan.key);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.problems[0].pointer).toBe('/limit');
    }
    const admin = await api().get('/api/user/credits/transactions').set('X-API-Key', ADMIN_KEY);
    expect(admin.body.items.every((r: { reason: string }) => !String(r.reason).startsWith('top-up'))).toBe(true);
  });

  it('charges one attempt once, however often or concurrently it is charged; the next attempt pays again', async () => {
    const eve = await makeUser(t, 'eve', { credits: 500 });
    const request1 = attempt(eve.user.id);
    expect(await hook.charge(request1)).toEqual({ amount: 1 });
    // A resumed execution charging the same attempt again: already charged, nothing taken, 0 added to its cost.
    expect(await hook.charge(request1)).toEqual({ amount: 0 });
    const request2 = attempt(eve.user.id);
    const both = await Promise.all([hook.charge(request2), hook.charge(request2), hook.charge(request2)]);
    expect(both.map((r) => r.amount).sort()).toEqual([0, 0, 1]);
    expect(await hook.charge({ ...request2, attempt: 2 })).toEqual({ amount: 1 });
    expect(await balanceOf(t.http, eve.key)).toBe(497);
    const usage = (await ledger(t.dataSource, eve.user.id)).filter((r) => r.type === 'USAGE');
    expect(usage.map((r) => [r.node_execution_id, r.attempt, r.amount, r.block])).toEqual([
      [request1.nodeExecutionId, 1, -1, 'code.js'],
      [request2.nodeExecutionId, 1, -1, 'code.js'],
      [request2.nodeExecutionId, 2, -1, 'code.js'],
    ]);
    const page = await api().get('/api/user/credits/transactions?limit=1').set('X-API-Key', eve.key);
    expect(page.body.items[0]).toMatchObject({
      type: 'USAGE',
      amount: -1,
      running_balance: 497,
      execution_id: request2.executionId,
      node_execution_id: request2.nodeExecutionId,
      attempt: 2,
      block: 'code.js',
    });
  });

  it('charges each call of a per-call block once per (node execution, key), across attempts and concurrent repeats; the attempt itself pays nothing', async () => {
    const otto = await makeUser(t, 'otto', { credits: 500 });
    const agent = attempt(otto.user.id, { blockId: 'ai.agent', inputs: { model: 'gpt-5.2' } });
    const modelCall = { ...agent, call: { key: 'step:1:model', reason: 'ai.agent model call 1' } };
    expect(await hook.charge(agent)).toEqual({ amount: 0 });
    expect(await hook.charge(modelCall)).toEqual({ amount: 10, cost: 10 });
    // A replay (another attempt of the node, or the same one after a crash) pays nothing for a call already charged, and is told its cost.
    expect(await hook.charge({ ...modelCall, attempt: 2 })).toEqual({ amount: 0, cost: 10 });
    const tool = { ...agent, blockId: 'http.request', inputs: { url: 'https://example.com' }, call: { key: 'step:1:tool:c1', reason: 'tool call' } };
    const repeats = await Promise.all([hook.charge(tool), hook.charge(tool), hook.charge(tool)]);
    expect(repeats.map((r) => r.amount).sort()).toEqual([0, 0, 1]);
    expect(await balanceOf(t.http, otto.key)).toBe(489);
    const usage = await t.dataSource.query(`SELECT block, amount, charge_key FROM credit_transactions WHERE user_id = $1 AND type = 'USAGE' ORDER BY id`, [
      otto.user.id,
    ]);
    expect(usage).toEqual([
      { block: 'ai.agent', amount: '-10', charge_key: 'step:1:model' },
      { block: 'http.request', amount: '-1', charge_key: 'step:1:tool:c1' },
    ]);
    // The call rows are no attempt's own charge: nothing to refund for the attempt.
    expect(await credits.refund(agent.nodeExecutionId, 1)).toEqual({ refunded: false, reason: 'not_charged' });
  });

  it('writes nothing for free blocks and charges LLM blocks by model', async () => {
    const fay = await makeUser(t, 'fay', { credits: 500 });
    expect(await hook.charge(attempt(fay.user.id, { blockId: 'text.template', inputs: { template: 'x' } }))).toEqual({ amount: 0 });
    expect(await hook.charge(attempt(fay.user.id, { blockId: 'llm.chat', inputs: { model: 'gpt-5.2', prompt: 'hi' } }))).toEqual({ amount: 10 });
    expect(await hook.charge(attempt(fay.user.id, { blockId: 'llm.chat', inputs: { model: 'some-future-model', prompt: 'hi' } }))).toEqual({ amount: 2 });
    expect((await ledger(t.dataSource, fay.user.id)).map((r) => [r.type, r.amount, r.block])).toEqual([
      ['GRANT', 500, null],
      ['USAGE', -10, 'llm.chat'],
      ['USAGE', -2, 'llm.chat'],
    ]);
  });

  it('refuses a charge that does not fit with INSUFFICIENT_CREDITS and takes nothing', async () => {
    const gus = await makeUser(t, 'gus', { credits: 5 });
    const refused = hook.charge(attempt(gus.user.id, { blockId: 'llm.chat', inputs: { model: 'gpt-5.2' } }));
    await expect(refused).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { cost: 10, balance: 5 } });
    await expect(hook.charge(attempt(gus.user.id, { blockId: 'llm.chat', inputs: { model: 'gpt-5.2' } }))).rejects.toThrow(
      /costs 10 credits.*balance of 5.*top-up/,
    );
    expect(await balanceOf(t.http, gus.key)).toBe(5);
    expect((await ledger(t.dataSource, gus.user.id)).map((r) => r.type)).toEqual(['GRANT']);
    expect(t.alerts.filter((a) => a.userId === gus.user.id)).toEqual([]);
  });

  it('sends LOW_BALANCE once per downward crossing (a top-up above re-arms it) and ZERO_BALANCE at zero', async () => {
    const hal = await makeUser(t, 'hal', { credits: 102 });
    const mine = () => t.alerts.filter((a) => a.userId === hal.user.id);
    await hook.charge(attempt(hal.user.id)); // 101
    await hook.charge(attempt(hal.user.id)); // 100: at the threshold, not below
    expect(mine()).toEqual([]);
    await hook.charge(attempt(hal.user.id)); // 99: crossed
    await hook.charge(attempt(hal.user.id)); // 98
    expect(mine()).toEqual([{ kind: 'LOW_BALANCE', userId: hal.user.id, balance: 99, threshold: 100 }]);
    await credits.adminCredit(hal.user.id, 'TOP_UP', 1, 'still below'); // 99: not re-armed
    await hook.charge(attempt(hal.user.id)); // 98
    expect(mine()).toHaveLength(1);
    await credits.adminCredit(hal.user.id, 'TOP_UP', 52, 'back above'); // 150: re-armed
    for (let i = 0; i < 50; i++) await hook.charge(attempt(hal.user.id)); // 100
    expect(mine()).toHaveLength(1);
    await hook.charge(attempt(hal.user.id)); // 99: crossed again
    expect(mine()).toEqual([
      { kind: 'LOW_BALANCE', userId: hal.user.id, balance: 99, threshold: 100 },
      { kind: 'LOW_BALANCE', userId: hal.user.id, balance: 99, threshold: 100 },
    ]);
    for (let i = 0; i < 99; i++) await hook.charge(attempt(hal.user.id)); // 0
    expect(mine().map((a) => a.kind)).toEqual(['LOW_BALANCE', 'LOW_BALANCE', 'ZERO_BALANCE']);
    await expect(hook.charge(attempt(hal.user.id))).rejects.toMatchObject({ code: 'INSUFFICIENT_CREDITS' });
    expect(mine()).toHaveLength(3);
    expect(await balanceOf(t.http, hal.key)).toBe(0);
    const rows = await ledger(t.dataSource, hal.user.id);
    expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(0);
  });

  it('refunds the charge of an attempt once, and nothing for an attempt never charged', async () => {
    const ivy = await makeUser(t, 'ivy', { credits: 20 });
    const charged = attempt(ivy.user.id, { blockId: 'llm.chat', inputs: { model: 'gpt-5.2' } });
    await hook.charge(charged);
    expect(await balanceOf(t.http, ivy.key)).toBe(10);
    const first = await credits.refund(charged.nodeExecutionId, 1);
    expect(first).toMatchObject({
      refunded: true,
      amount: 10,
      transaction: {
        type: 'REFUND',
        amount: '10',
        running_balance: '20',
        node_execution_id: charged.nodeExecutionId,
        attempt: 1,
        block: 'llm.chat',
        execution_id: charged.executionId,
      },
    });
    expect(await credits.refund(charged.nodeExecutionId, 1)).toEqual({ refunded: false, reason: 'already_refunded' });
    expect(await credits.refund(charged.nodeExecutionId, 2)).toEqual({ refunded: false, reason: 'not_charged' });
    expect(await credits.refund(randomUUID(), 1)).toEqual({ refunded: false, reason: 'not_charged' });
    expect(await balanceOf(t.http, ivy.key)).toBe(20);
    // A refund never makes the attempt chargeable again.
    expect(await hook.charge(charged)).toEqual({ amount: 0 });
  });

  it('charges the caller of POST /api/blocks/{id}/execute, and answers 402 when the cost does not fit', async () => {
    const jo = await makeUser(t, 'jo', { credits: 1 });
    const free = await api()
      .post('/api/blocks/text.template/execute')
      .set('X-API-Key', jo.key)
      .send({ inputs: { template: 'hi {{name}}', values: { name: 'jo' } } });
    expect(free.status).toBe(200);
    const paid = await api()
      .post('/api/blocks/code.js/execute')
      .set('X-API-Key', jo.key)
      .send({ inputs: { code: 'return 2;' } });
    expect(paid.status).toBe(200);
    expect(paid.body.outputs[0]).toEqual({ pin: 'result', value: 2 });
    expect(await balanceOf(t.http, jo.key)).toBe(0);
    expect((await ledger(t.dataSource, jo.user.id)).map((r) => [r.type, r.amount, r.block, r.node_execution_id])).toEqual([
      ['GRANT', 1, null, null],
      ['USAGE', -1, 'code.js', null],
    ]);
    const refused = await api()
      .post('/api/blocks/code.js/execute')
      .set('X-API-Key', jo.key)
      .send({ inputs: { code: 'return 2;' } });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', details: { cost: 1, balance: 0 } });
    expect(t.alerts.filter((a) => a.userId === jo.user.id).map((a) => a.kind)).toEqual(['LOW_BALANCE', 'ZERO_BALANCE']);
  });
});
