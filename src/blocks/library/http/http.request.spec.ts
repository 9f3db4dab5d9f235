import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiKey, blockHarness, rejection } from '../../../../test/blocks/peers/block-context.js';
import { sendJson, sendText, startHttpPeer, type HttpPeer } from '../../../../test/blocks/peers/http-peer.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import { httpRequestBlock } from './http.request.js';

let peer: HttpPeer;
// The start of a zip file: a NUL in the first bytes, and bytes that are not UTF-8.
const ZIP_BYTES = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0xff, 0xfe, 0x80]);

beforeAll(async () => {
  peer = await startHttpPeer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/items') {
      return sendJson(res, 200, { method: req.method, query: url.search, headers: req.headers, body: req.body }, { 'x-total': '2' });
    }
    if (url.pathname === '/text') return sendText(res, 200, 'plain words');
    if (url.pathname === '/bad-json') return sendText(res, 200, '{not json', { 'content-type': 'application/json' });
    if (url.pathname === '/missing') return sendJson(res, 404, { message: 'no such item' });
    if (url.pathname === '/moved') {
      res.writeHead(302, { location: '/items' });
      return void res.end();
    }
    if (url.pathname === '/zip') {
      res.writeHead(200, { 'content-type': 'application/zip' });
      return void res.end(ZIP_BYTES);
    }
    if (url.pathname === '/latin1') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
      return void res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    }
    if (url.pathname === '/huge') return sendText(res, 200, 'z'.repeat(4096));
    if (url.pathname === '/never') return;
    return sendText(res, 404, 'unknown path');
  });
});

afterAll(async () => {
  await peer.close();
});

async function withHarness<T>(options: Parameters<typeof blockHarness>[0], body: (h: ReturnType<typeof blockHarness>) => Promise<T>): Promise<T> {
  const harness = blockHarness(options);
  try {
    return await body(harness);
  } finally {
    await harness.close();
  }
}

describe('http.request', () => {
  it('sends a GET with query and headers and yields status, headers, body and json', async () => {
    await withHarness({}, async (h) => {
      const out = await h.outputs(httpRequestBlock, {
        url: `${peer.url}/items?a=1`,
        headers: { 'X-Trace': 'abc' },
        query: { tag: ['x', 'y'], n: 5, flag: true },
      });
      expect(out.status).toBe(200);
      expect(out.headers).toMatchObject({ 'x-total': '2', 'content-type': 'application/json' });
      const json = out.json as { method: string; query: string; headers: Record<string, string> };
      expect(json.method).toBe('GET');
      expect(json.query).toBe('?a=1&tag=x&tag=y&n=5&flag=true');
      expect(json.headers['x-trace']).toBe('abc');
      expect(json.headers['user-agent']).toBe('trellis');
      expect(JSON.parse(out.body as string)).toEqual(json);
    });
  });

  it('sends a json value as a JSON body, and a text body as it is', async () => {
    await withHarness({}, async (h) => {
      const sentJson = (await h.outputs(httpRequestBlock, { url: `${peer.url}/items`, method: 'POST', json: { name: 'widget', tags: [1, 2] } })).json as {
        headers: Record<string, string>;
        body: string;
      };
      expect(sentJson.headers['content-type']).toBe('application/json');
      expect(JSON.parse(sentJson.body)).toEqual({ name: 'widget', tags: [1, 2] });
      const sentText = (
        await h.outputs(httpRequestBlock, { url: `${peer.url}/items`, method: 'PUT', body: 'raw text', headers: { 'content-type': 'text/csv' } })
      ).json as {
        method: string;
        headers: Record<string, string>;
        body: string;
      };
      expect(sentText).toMatchObject({ method: 'PUT', body: 'raw text' });
      expect(sentText.headers['content-type']).toBe('text/csv');
    });
  });

  it('refuses body and json together, a body on GET, a bad URL and a bad timeout', async () => {
    await withHarness({}, async (h) => {
      const both = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/items`, method: 'POST', body: 'a', json: {} }));
      expect(both.code).toBe('INVALID_INPUT');
      expect(both.message).toContain('not both');
      const getBody = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/items`, body: 'a' }));
      expect(getBody.message).toContain('GET request cannot carry a body');
      const badUrl = await rejection(h.run(httpRequestBlock, { url: 'example.com/items' }));
      expect(badUrl.code).toBe('INVALID_INPUT');
      expect(badUrl.message).toContain('not a full URL');
      const badTimeout = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/items`, timeout: 'soon' }));
      expect(badTimeout.code).toBe('INVALID_INPUT');
      expect(badTimeout.message).toContain('timeout');
    });
  });

  it('sends the auth credential as bearer, basic or a header of its own', async () => {
    const seen = async (credential: Parameters<typeof blockHarness>[0]) =>
      withHarness(
        credential,
        async (h) => ((await h.outputs(httpRequestBlock, { url: `${peer.url}/items` })).json as { headers: Record<string, string> }).headers,
      );
    expect((await seen({ credentials: { auth: apiKey('sk-123') } })).authorization).toBe('Bearer sk-123');
    const basic = await seen({ credentials: { auth: { name: 'svc', provider: 'http', type: 'user_password', fields: { username: 'ann', password: 'p:w' } } } });
    expect(basic.authorization).toBe(`Basic ${Buffer.from('ann:p:w').toString('base64')}`);
    const header = await seen({ credentials: { auth: { name: 'hdr', provider: 'http', type: 'header', fields: { name: 'X-Api-Key', value: 'k-9' } } } });
    expect(header['x-api-key']).toBe('k-9');
    expect(header.authorization).toBeUndefined();
  });

  it('refuses a credential of a type it cannot use, naming it', async () => {
    await withHarness({ credentials: { auth: { name: 'hook', provider: 'http', type: 'webhook_secret', fields: { secret: 's' } } } }, async (h) => {
      const error = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/items` }));
      expect(error.code).toBe('CREDENTIAL_UNRESOLVED');
      expect(error.message).toContain('"hook"');
      expect(error.message).toContain('webhook_secret');
      expect(error.message).not.toContain('"s"');
    });
  });

  it('fails on a 4xx answer by default, naming the status and the body', async () => {
    await withHarness({}, async (h) => {
      const error = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/missing?token=secret` }));
      expect(error.code).toBe('HTTP_STATUS');
      expect(error.message).toContain('answered 404');
      expect(error.message).toContain('no such item');
      expect(error.message).not.toContain('token=secret');
      expect(error.details).toMatchObject({ status: 404 });
    });
  });

  it('yields a 4xx answer with fail_on_status false; json is null for text', async () => {
    await withHarness({}, async (h) => {
      const missing = await h.outputs(httpRequestBlock, { url: `${peer.url}/missing`, fail_on_status: false });
      expect(missing).toMatchObject({ status: 404, json: { message: 'no such item' } });
      const text = await h.outputs(httpRequestBlock, { url: `${peer.url}/text` });
      expect(text).toMatchObject({ status: 200, body: 'plain words', json: null });
      const badJson = await h.outputs(httpRequestBlock, { url: `${peer.url}/bad-json` });
      expect(badJson).toMatchObject({ body: '{not json', json: null });
    });
  });

  it('yields body null and body_base64 for an answer that is not text (NUL bytes, or not UTF-8), and body_base64 null for text', async () => {
    await withHarness({}, async (h) => {
      const zip = await h.outputs(httpRequestBlock, { url: `${peer.url}/zip` });
      expect(zip).toMatchObject({ status: 200, body: null, body_base64: ZIP_BYTES.toString('base64'), json: null });
      expect(Buffer.from(zip.body_base64 as string, 'base64').equals(ZIP_BYTES)).toBe(true);
      const latin1 = await h.outputs(httpRequestBlock, { url: `${peer.url}/latin1` });
      expect(latin1).toMatchObject({ body: null, body_base64: Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64') });
      const text = await h.outputs(httpRequestBlock, { url: `${peer.url}/text` });
      expect(text).toMatchObject({ body: 'plain words', body_base64: null });
    });
  });

  it('follows redirects by default, or yields the redirect with follow_redirects false', async () => {
    await withHarness({}, async (h) => {
      expect((await h.outputs(httpRequestBlock, { url: `${peer.url}/moved` })).status).toBe(200);
      const moved = await h.outputs(httpRequestBlock, { url: `${peer.url}/moved`, follow_redirects: false });
      expect(moved.status).toBe(302);
      expect(moved.headers).toMatchObject({ location: '/items' });
    });
  });

  it('refuses private addresses unless the config allows them', async () => {
    await withHarness({ settings: { allowPrivateAddresses: false } }, async (h) => {
      const before = peer.requests.length;
      const error = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/items` }));
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(error.message).toContain('http.allow_private_addresses');
      expect(peer.requests.length).toBe(before);
    });
  });

  it('stops at its timeout and at the response size cap', async () => {
    await withHarness({ settings: { maxResponseBytes: 1000 } }, async (h) => {
      const slow = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/never`, timeout: '100ms' }));
      expect(slow.code).toBe('OUTBOUND_TIMEOUT');
      const huge = await rejection(h.run(httpRequestBlock, { url: `${peer.url}/huge` }));
      expect(huge.code).toBe('OUTBOUND_RESPONSE_TOO_LARGE');
    });
  });

  it('stops promptly when the run is aborted mid-request', async () => {
    const controller = new AbortController();
    await withHarness({ signal: controller.signal }, async (h) => {
      const before = peer.requests.length;
      const pending = h.run(httpRequestBlock, { url: `${peer.url}/never` });
      await waitFor(
        () => peer.requests.length,
        (n) => n > before,
        { what: 'the request to arrive' },
      );
      controller.abort();
      expect((await rejection(pending)).code).toBe('CANCELLED');
    });
  });
});
