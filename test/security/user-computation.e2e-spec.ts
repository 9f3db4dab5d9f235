// User computation never blocks the process (release-2 section 1), through the real application: regular
// expressions run in linear time (RE2), JSONata and Liquid run in the sandbox pool under sandbox.timeout,
// and /health keeps answering quickly while they run.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** Every probe must answer well under a second; a blocked main thread would hold one for the whole run. */
const PROBE_BOUND_MS = 500;
/** Between two probes; the event loop's delay, watched throughout, stands for a probe sent at any moment. */
const PROBE_EVERY_MS = 50;
const LOOP_RESOLUTION_MS = 10;

describe('user computation never blocks a process', () => {
  let t: TestApp;
  const execute = (block: string, inputs: Record<string, unknown>) =>
    request(t.http).post(`/api/blocks/${block}/execute`).set('X-API-Key', ADMIN_KEY).send({ inputs });

  /**
   * Runs `work`, probing /health every PROBE_EVERY_MS until it ends, and watching the event loop meanwhile: how
   * long the work took, every probe's time, and the longest the event loop was held. The watch covers the
   * moments between probes, which back-to-back probes covered by being always in flight, at the price of a
   * core kept busy answering them.
   */
  async function probeDuring<T>(work: () => Promise<T>): Promise<{ result: T; tookMs: number; probesMs: number[]; loopHeldMs: number }> {
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const started = performance.now();
    let finished = false;
    const running = Promise.resolve(work()).finally(() => (finished = true));
    const probesMs: number[] = [];
    while (!finished) {
      const sent = performance.now();
      const health = await request(t.http).get('/health');
      expect(health.status).toBe(200);
      probesMs.push(performance.now() - sent);
      let paced: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (paced = setTimeout(resolve, PROBE_EVERY_MS)))]);
      clearTimeout(paced);
    }
    const result = await running;
    const tookMs = performance.now() - started;
    // A turn of the event loop for the watch's own timer, which records a hold only when it fires after it.
    await new Promise((resolve) => setTimeout(resolve, 2 * LOOP_RESOLUTION_MS));
    loop.disable();
    return { result, tookMs, probesMs, loopHeldMs: loop.max / 1e6 };
  }

  beforeAll(async () => {
    t = await createTestApp({
      label: 'usercomp',
      env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY },
      overrides: { credits: { enabled: false }, sandbox: { timeout: '1s' } },
    });
    // Start the sandbox workers before measuring (what a first evaluation costs is not the point here).
    await execute('json.query', { data: {}, expression: '1' }).expect(200);
  });
  afterAll(async () => t?.close());

  it('answers a catastrophic regular expression at once, with the right result (RE2: linear time)', async () => {
    const text = `${'a'.repeat(28)}!`;
    const started = performance.now();
    const res = await execute('text.match', { text, pattern: '^(a+)+$' }).expect(200);
    expect(res.body.outputs).toEqual([
      { pin: 'matched', value: false },
      { pin: 'negative', value: text },
    ]);
    const long = `${'a'.repeat(200_000)}!`;
    const condition = await execute('logic.condition', { left: long, operator: 'matches', right: '^(a|aa)+$' }).expect(200);
    expect(condition.body.outputs[0]).toEqual({ pin: 'result', value: false });
    const replaced = await execute('text.replace', { text: `${'a'.repeat(200_000)}b!`, pattern: '(a+)+b', replacement: 'x', regex: true }).expect(200);
    expect(replaced.body.outputs).toEqual([{ pin: 'text', value: 'x!' }]);
    // Release 1 took 2.4 s for the first alone, doubling with each "a".
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a backreference as a validation error naming the feature', async () => {
    const res = await execute('text.match', { text: 'aa', pattern: '(a)\\1' }).expect(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.message).toContain('pattern: uses a backreference "\\1", which RE2 regular expressions (matched in linear time) cannot express');
    const lookahead = await execute('text.split', { text: 'a-b', separator: '-(?=b)', regex: true }).expect(400);
    expect(lookahead.body.error.message).toContain('separator: uses a lookahead "(?=...)"');
  });

  it('stops a JSONata loop at sandbox.timeout with SANDBOX_TIMEOUT, while /health answers quickly', async () => {
    const loop = '[1..100].$reduce([1..1000000], function($a, $b) { $a + $b })';
    const { result, tookMs, probesMs, loopHeldMs } = await probeDuring(() => execute('json.query', { data: {}, expression: loop }));
    expect(result.status).toBe(422);
    expect(result.body.error).toMatchObject({
      code: 'SANDBOX_TIMEOUT',
      message: expect.stringContaining('ran longer than sandbox.timeout (1000 ms) and was stopped'),
    });
    expect(tookMs).toBeGreaterThanOrEqual(950);
    expect(probesMs.length).toBeGreaterThan(0);
    expect(Math.max(...probesMs)).toBeLessThan(PROBE_BOUND_MS);
    expect(loopHeldMs).toBeLessThan(PROBE_BOUND_MS);
  });

  it('stops a catastrophic JSONata $match by terminating its worker, while /health answers quickly', async () => {
    const { result, tookMs, probesMs, loopHeldMs } = await probeDuring(() =>
      execute('json.query', { data: { s: `${'a'.repeat(40)}!` }, expression: '$match(s, /^(a+)+$/)' }),
    );
    expect(result.status).toBe(422);
    expect(result.body.error.code).toBe('SANDBOX_TIMEOUT');
    expect(tookMs).toBeGreaterThanOrEqual(950);
    expect(Math.max(...probesMs)).toBeLessThan(PROBE_BOUND_MS);
    expect(loopHeldMs).toBeLessThan(PROBE_BOUND_MS);
    // The pool replaced the worker: the next query runs.
    const next = await execute('json.query', { data: { a: 2 }, expression: 'a * 21' }).expect(200);
    expect(next.body.outputs).toEqual([{ pin: 'result', value: 42 }]);
  });

  it('stops a huge Liquid loop at sandbox.timeout with SANDBOX_TIMEOUT, while /health answers quickly', async () => {
    const template = '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}done';
    const { result, tookMs, probesMs, loopHeldMs } = await probeDuring(() => execute('text.template', { template }));
    expect(result.status).toBe(422);
    expect(result.body.error).toMatchObject({ code: 'SANDBOX_TIMEOUT', message: expect.stringContaining('The template ran longer than sandbox.timeout') });
    expect(tookMs).toBeGreaterThanOrEqual(950);
    expect(Math.max(...probesMs)).toBeLessThan(PROBE_BOUND_MS);
    expect(loopHeldMs).toBeLessThan(PROBE_BOUND_MS);
  });

  it('still renders templates and queries with their data', async () => {
    const template = await execute('text.template', {
      template: 'Hi {{ user.name }}, {{ items | size }} items',
      values: { user: { name: 'Ann' }, items: [1, 2], unused: 'x' },
    }).expect(200);
    expect(template.body.outputs).toEqual([{ pin: 'text', value: 'Hi Ann, 2 items' }]);
    const query = await execute('json.query', {
      data: {
        items: [
          { price: 3, quantity: 2 },
          { price: 5, quantity: 1 },
        ],
        id: 'A-1',
      },
      expression: '{ "id": id, "total": $sum(items.(price * quantity)) }',
    }).expect(200);
    expect(query.body.outputs).toEqual([{ pin: 'result', value: { id: 'A-1', total: 11 } }]);
  });
});
