import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { blockHarness, rejection, type TestContextOptions } from '../../../../test/blocks/peers/block-context.js';
import { sendText, startHttpPeer, type HttpPeer, type RecordedRequest } from '../../../../test/blocks/peers/http-peer.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import type { ResolvedCredential } from '../../block.types.js';
import { slackPostBlock } from './slack.post.js';

/** Answers like Slack's incoming webhooks: `ok`, or an error text with its status. */
function slack(req: RecordedRequest, res: ServerResponse): void {
  const path = req.url;
  if (path === '/services/T000/B000/hang') return;
  if (path === '/services/T000/B000/gone') return sendText(res, 404, 'no_service');
  if (path === '/services/T000/B000/archived') return sendText(res, 410, 'channel_is_archived');
  if (path === '/services/T000/B000/busy') return sendText(res, 429, 'rate_limited', { 'retry-after': '30' });
  if (path !== '/services/T000/B000/XXXX') return sendText(res, 404, 'no_service');
  const body = req.json as { text?: unknown; blocks?: unknown } | undefined;
  if (!body || (body.text === undefined && body.blocks === undefined)) return sendText(res, 400, 'no_text');
  if (body.blocks !== undefined && !Array.isArray(body.blocks)) return sendText(res, 400, 'invalid_blocks');
  sendText(res, 200, 'ok');
}

let peer: HttpPeer;

beforeAll(async () => {
  peer = await startHttpPeer(slack);
});

afterAll(async () => {
  await peer.close();
});

function hook(path = 'XXXX'): ResolvedCredential {
  return { name: 'ops-slack', provider: 'slack', type: 'secret_url', fields: { url: `${peer.url}/services/T000/B000/${path}` } };
}

async function post(inputs: Record<string, unknown>, options: TestContextOptions = {}) {
  const harness = blockHarness({ credentials: { webhook: hook() }, ...options });
  try {
    return await harness.run(slackPostBlock, inputs);
  } finally {
    await harness.close();
  }
}

describe('slack.post', () => {
  it('POSTs {text, blocks} as JSON to the webhook and yields ok', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* finished' } }];
    expect(await post({ text: 'Deploy finished', blocks })).toEqual([['ok', true]]);
    const request = peer.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.json).toEqual({ text: 'Deploy finished', blocks });
  });

  it('sends text alone, and refuses a message with neither text nor blocks', async () => {
    await post({ text: 'just text' });
    expect(peer.requests.at(-1)!.json).toEqual({ text: 'just text' });
    const error = await rejection(post({}));
    expect(error.code).toBe('INVALID_INPUT');
  });

  it("explains Slack's error answers, naming the credential and never the URL", async () => {
    const gone = await rejection(post({ text: 'x' }, { credentials: { webhook: hook('gone') } }));
    expect(gone.code).toBe('SLACK_REJECTED');
    expect(gone.message).toContain('404 no_service');
    expect(gone.message).toContain('create a new incoming webhook');
    expect(gone.message).toContain('"ops-slack"');
    expect(gone.message).not.toContain('/services/');
    const archived = await rejection(post({ text: 'x' }, { credentials: { webhook: hook('archived') } }));
    expect(archived.message).toContain('archived');
    const busy = await rejection(post({ text: 'x' }, { credentials: { webhook: hook('busy') } }));
    expect(busy.code).toBe('SLACK_RATE_LIMITED');
    expect(busy.details).toMatchObject({ retry_after: '30' });
  });

  it('needs the webhook credential, of type secret_url', async () => {
    const missing = await rejection(post({ text: 'x' }, { credentials: {} }));
    expect(missing.code).toBe('CREDENTIAL_UNRESOLVED');
    expect(missing.message).toContain('credentials: { webhook: <credential name> }');
    const notUrl = await rejection(
      post({ text: 'x' }, { credentials: { webhook: { name: 'bad', provider: 'slack', type: 'secret_url', fields: { url: 'hooks.slack.com/x' } } } }),
    );
    expect(notUrl.code).toBe('CREDENTIAL_UNRESOLVED');
  });

  it('applies the private-address policy to the webhook URL', async () => {
    const error = await rejection(post({ text: 'x' }, { settings: { allowPrivateAddresses: false } }));
    expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
  });

  it('stops promptly when the run is aborted mid-request', async () => {
    const controller = new AbortController();
    const before = peer.requests.length;
    const pending = post({ text: 'x' }, { credentials: { webhook: hook('hang') }, signal: controller.signal });
    await waitFor(
      () => peer.requests.length,
      (n) => n > before,
      { what: 'the request to arrive' },
    );
    controller.abort();
    expect((await rejection(pending)).code).toBe('CANCELLED');
  });
});
