// OutboundHttp, the HTTP client of every block: the requests it lets through (redirects, credentials across origins)
// and its limits on size, time and abort. The private-address policy: outbound-http.policy.spec.ts.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '../../../test/helpers/wait.js';
import { failure, outbound, peer, peerIsPublic, table, useOutboundPeer } from './outbound-http.fixtures.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('OutboundHttp', () => {
  useOutboundPeer();

  describe('OutboundHttp: requests that are allowed', () => {
    it('fetches from a server and answers a standard Response', async () => {
      const response = await outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/hello`);
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-peer')).toBe('yes');
      expect(response.url).toBe(`${peer.url}/hello`);
      expect(response.redirected).toBe(false);
      expect(await response.json()).toEqual({ hello: 'world', host: `127.0.0.1:${peer.port}` });
    });

    it('connects to the address the checked lookup gave (the name is pinned to it)', async () => {
      const resolve = table({ 'service.example.test': '127.0.0.1' });
      const response = await outbound({ allowPrivateAddresses: true, resolve }).fetch(`http://service.example.test:${peer.port}/hello`);
      expect(await response.json()).toEqual({ hello: 'world', host: `service.example.test:${peer.port}` });
    });

    it('follows redirects, each hop through the policy, and reports where it ended', async () => {
      const response = await outbound({ classifyAddress: peerIsPublic }).fetch(`${peer.url}/redirect/${encodeURIComponent('/hello')}`);
      expect(response.status).toBe(200);
      expect(response.redirected).toBe(true);
      expect(response.url).toBe(`${peer.url}/hello`);
    });

    it('turns a POST into a GET without body on 303, and repeats it as is on 307', async () => {
      const http = outbound({ allowPrivateAddresses: true });
      const see = await http.fetch(`${peer.url}/redirect/${encodeURIComponent('/echo')}?status=303`, {
        method: 'POST',
        body: 'payload',
        headers: { 'content-type': 'text/plain' },
      });
      expect(await see.json()).toMatchObject({ method: 'GET', body: '' });
      const temp = await http.fetch(`${peer.url}/redirect/${encodeURIComponent('/echo')}?status=307`, { method: 'POST', body: 'payload' });
      expect(await temp.json()).toMatchObject({ method: 'POST', body: 'payload' });
    });

    it('drops the headers it attached from a credential on a redirect to another origin, whatever their name, and keeps them on the same origin', async () => {
      const http = outbound({ allowPrivateAddresses: true, resolve: table({ 'other.example.test': '127.0.0.1' }) });
      const credential = {
        credential: { name: 'azure-key', provider: 'http', type: 'header' as const, fields: {} },
        headers: { 'Ocp-Apim-Subscription-Key': 'sub-123' },
      };
      const headers = { 'x-api-key': 'not-a-credential' };
      const same = await http.fetch(`${peer.url}/redirect/${encodeURIComponent('/echo')}`, { headers, credential });
      expect(await same.json()).toMatchObject({ subscription: 'sub-123', x_api_key: 'not-a-credential' });
      const other = await http.fetch(`${peer.url}/redirect/${encodeURIComponent(`http://other.example.test:${peer.port}/echo`)}`, { headers, credential });
      expect(await other.json()).toMatchObject({ subscription: null, x_api_key: 'not-a-credential' });
    });

    it('drops a hand-written Authorization on a redirect to another origin, as the fetch standard does', async () => {
      const http = outbound({ allowPrivateAddresses: true, resolve: table({ 'other.example.test': '127.0.0.1' }) });
      const headers = { authorization: 'Bearer typed-by-hand' };
      expect(await (await http.fetch(`${peer.url}/redirect/${encodeURIComponent('/echo')}`, { headers })).json()).toMatchObject({
        authorization: 'Bearer typed-by-hand',
      });
      const other = await http.fetch(`${peer.url}/redirect/${encodeURIComponent(`http://other.example.test:${peer.port}/echo`)}`, { headers });
      expect(await other.json()).toMatchObject({ authorization: null });
    });

    it('refuses to attach a credential to a host its hosts do not list, sending nothing', async () => {
      const before = peer.requests.length;
      const credential = {
        credential: { name: 'team-api', provider: 'http', type: 'api_key' as const, fields: {}, hosts: ['api.example.com'] },
        headers: { authorization: 'Bearer sk-team' },
      };
      const error = await failure(outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/echo`, { credential }));
      expect(error.code).toBe('CREDENTIAL_HOST_REFUSED');
      expect(error.message).toContain('Refused to send the credential "team-api" to http://127.0.0.1:');
      expect(error.message).toContain('it may only be sent to api.example.com');
      expect(error.message).not.toContain('sk-team');
      expect(peer.requests.length).toBe(before);
    });

    it('answers the redirect itself with redirect: manual', async () => {
      const response = await outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/redirect/${encodeURIComponent('/hello')}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/hello');
    });

    it('stops a redirect loop after 10 hops', async () => {
      const error = await failure(outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/loop/0`));
      expect(error.code).toBe('OUTBOUND_TOO_MANY_REDIRECTS');
      expect(error.message).toContain('more than 10 times');
      expect(error.message).toContain('/loop/11');
    });
  });

  describe('OutboundHttp: size, time and abort', () => {
    it('refuses a response whose declared length is over the cap', async () => {
      const error = await failure(outbound({ allowPrivateAddresses: true, maxResponseBytes: 1000 }).fetch(`${peer.url}/big`));
      expect(error.code).toBe('OUTBOUND_RESPONSE_TOO_LARGE');
      expect(error.message).toContain('1000 bytes');
      expect(error.message).toContain('http.max_response_bytes');
    });

    it('stops reading a streamed response past the cap', async () => {
      const response = await outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/big-chunked`, { maxResponseBytes: 1000 });
      const error = await failure(response.text());
      expect(error.code).toBe('OUTBOUND_RESPONSE_TOO_LARGE');
    });

    it('reads a response that fits the cap', async () => {
      const response = await outbound({ allowPrivateAddresses: true, maxResponseBytes: 5000 }).fetch(`${peer.url}/big-chunked`);
      expect((await response.text()).length).toBe(5000);
    });

    it('stops a request that gets no answer within the timeout', async () => {
      const error = await failure(outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/never`, { timeoutMs: 150 }));
      expect(error.code).toBe('OUTBOUND_TIMEOUT');
      expect(error.message).toContain('150 ms');
    });

    it('stops a response body that stalls past the timeout', async () => {
      const response = await outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/stall-body`, { timeoutMs: 200 });
      const error = await failure(response.text());
      expect(error.code).toBe('OUTBOUND_TIMEOUT');
    });

    it('stops at once when the run is aborted mid-request, as an abort', async () => {
      const controller = new AbortController();
      const before = peer.requests.length;
      const pending = outbound({ allowPrivateAddresses: true }).client(controller.signal).fetch(`${peer.url}/never`);
      await waitFor(
        () => peer.requests.length,
        (n) => n > before,
        { what: 'the request to arrive' },
      );
      controller.abort();
      const error = await failure(pending);
      expect((error as unknown as Error).name).toBe('AbortError');
    });

    it('stops reading the body when the run is aborted mid-body', async () => {
      const controller = new AbortController();
      const response = await outbound({ allowPrivateAddresses: true }).client(controller.signal).fetch(`${peer.url}/stall-body`);
      const reading = response.text();
      controller.abort();
      expect(((await failure(reading)) as unknown as Error).name).toBe('AbortError');
    });

    it('does not start when the signal is already aborted', async () => {
      const before = peer.requests.length;
      const error = await failure(outbound({ allowPrivateAddresses: true }).client(AbortSignal.abort()).fetch(`${peer.url}/hello`));
      expect((error as unknown as Error).name).toBe('AbortError');
      expect(peer.requests.length).toBe(before);
    });
  });
});
