import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { blockHarness, rejection, type TestContextOptions } from '../../../../test/blocks/peers/block-context.js';
import { sendJson, sendText, startHttpPeer, type HttpPeer, type RecordedRequest } from '../../../../test/blocks/peers/http-peer.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { webhookSendBlock } from './webhook.send.js';
import { webhookSignature } from './webhook-signature.js';

const SECRET = 'whsec_shared_secret';

/** A receiver that checks the signature the way Trellis's own webhook trigger does. */
function receiver(req: RecordedRequest, res: ServerResponse): void {
  if (req.url === '/hang') return;
  if (req.url === '/broken') return sendText(res, 500, 'database down');
  if (req.url === '/open') return sendJson(res, 202, { accepted: true });
  const timestamp = String(req.headers['x-trellis-timestamp'] ?? '');
  const signature = String(req.headers['x-trellis-signature-256'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return sendJson(res, 401, { error: 'bad timestamp' });
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${req.body}`).digest('hex')}`;
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected)))
    return sendJson(res, 401, { error: 'bad signature' });
  sendJson(res, 200, { verified: true, received: req.json });
}

let peer: HttpPeer;

beforeAll(async () => {
  peer = await startHttpPeer(receiver);
});

afterAll(async () => {
  await peer.close();
});

async function send(inputs: Record<string, unknown>, options: TestContextOptions = {}) {
  const harness = blockHarness({
    credentials: { secret: { name: 'hook-secret', provider: 'webhook', type: 'webhook_secret', fields: { secret: SECRET } } },
    ...options,
  });
  try {
    return Object.fromEntries(await harness.run(webhookSendBlock, inputs));
  } finally {
    await harness.close();
  }
}

describe('webhook.send', () => {
  it('POSTs the payload as JSON, signed so that the receiver verifies it', async () => {
    const payload = { event: 'deploy', ok: true, items: [1, 'two', { three: 3 }], text: 'naïve ✓' };
    const out = await send({ url: `${peer.url}/signed`, payload });
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body as string)).toEqual({ verified: true, received: payload });
    const request = peer.requests.at(-1)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-trellis-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('sends the same Idempotency-Key on every attempt of one node execution', async () => {
    const harness = blockHarness({});
    try {
      await harness.run(webhookSendBlock, { url: `${peer.url}/open`, payload: 1 });
      await harness.run(webhookSendBlock, { url: `${peer.url}/open`, payload: 1 });
    } finally {
      await harness.close();
    }
    const [first, second] = peer.requests.slice(-2);
    expect(first!.headers['idempotency-key']).toBe(harness.context.nodeExecutionId);
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
  });

  it('sends unsigned without a secret, and the verifying receiver refuses it clearly', async () => {
    const error = await rejection(send({ url: `${peer.url}/signed`, payload: { a: 1 } }, { credentials: {} }));
    expect(error.code).toBe('WEBHOOK_STATUS');
    expect(error.message).toContain('answered 401');
    expect(error.message).toContain('same secret');
    expect(peer.requests.at(-1)!.headers['x-trellis-signature-256']).toBeUndefined();
    expect((await send({ url: `${peer.url}/open`, payload: null }, { credentials: {} })).status).toBe(202);
  });

  it("fails on a 5xx answer with the receiver's words", async () => {
    const error = await rejection(send({ url: `${peer.url}/broken`, payload: {} }));
    expect(error.message).toContain('answered 500: database down');
    expect(error.details).toMatchObject({ status: 500 });
  });

  it('refuses private addresses unless allowed, and a URL that is not one', async () => {
    expect((await rejection(send({ url: `${peer.url}/signed`, payload: {} }, { settings: { allowPrivateAddresses: false } }))).code).toBe(
      'OUTBOUND_ADDRESS_REFUSED',
    );
    expect((await rejection(send({ url: 'example.com/hook', payload: {} }))).code).toBe('INVALID_INPUT');
  });

  it('stops promptly when the run is aborted mid-request', async () => {
    const controller = new AbortController();
    const before = peer.requests.length;
    const pending = send({ url: `${peer.url}/hang`, payload: {} }, { signal: controller.signal });
    await waitFor(
      () => peer.requests.length,
      (n) => n > before,
      { what: 'the request to arrive' },
    );
    controller.abort();
    expect((await rejection(pending)).code).toBe('CANCELLED');
  });
});

describe('webhookSignature', () => {
  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">', () => {
    expect(webhookSignature('key', 1700000000, '{"a":1}')).toBe(`sha256=${createHmac('sha256', 'key').update('1700000000.{"a":1}').digest('hex')}`);
  });
});
