import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { webhookTriggerBlock } from './trigger.webhook.js';

describe('trigger.webhook', () => {
  it('passes a request through (tests and replays), headers in lower case', async () => {
    const outputs = await run(webhookTriggerBlock, {
      methods: ['POST', 'PUT'],
      event: { body: { ok: true }, headers: { 'Content-Type': 'application/json' }, query: { page: '2' }, method: 'put' },
    });
    expect(outputs).toEqual([
      ['body', { ok: true }],
      ['headers', { 'content-type': 'application/json' }],
      ['query', { page: '2' }],
      ['method', 'PUT'],
    ]);
  });

  it('fills an empty request with the defaults', async () => {
    expect(Object.fromEntries(await run(webhookTriggerBlock, {}))).toEqual({ body: null, headers: {}, query: {}, method: 'POST' });
  });

  it('refuses methods it does not accept, and bad method lists', async () => {
    expect((await runError(webhookTriggerBlock, { event: { method: 'GET' } })).message).toContain('the method GET is not one this webhook accepts (POST)');
    expect((await runError(webhookTriggerBlock, { methods: [] })).message).toContain('methods: must NOT have fewer than 1 items');
    expect((await runError(webhookTriggerBlock, { methods: ['FETCH'] })).message).toContain(
      'methods (at /0): expected one of "GET", "POST", "PUT", "PATCH", "DELETE"',
    );
    expect((await runError(webhookTriggerBlock, { event: { bdy: 1 } })).message).toContain('unknown key "bdy"');
  });

  it('is a trigger with an optional signing secret', () => {
    expect(webhookTriggerBlock.trigger).toBe(true);
    expect(webhookTriggerBlock.credentials?.secret).toMatchObject({ types: ['webhook_secret'], optional: true });
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(webhookTriggerBlock, {}, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
