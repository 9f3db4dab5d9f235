import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startHttpPeer, sendJson, sendText, type HttpPeer } from '../../../test/blocks/peers/http-peer.js';
import { waitFor } from '../../../test/helpers/wait.js';
import type { AppError } from '../../common/errors.js';
import { nonPublicAddressKind } from './address-policy.js';
import type { HostResolver } from './host-resolver.js';
import { OutboundHttp, type OutboundHttpOptions } from './outbound-http.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('OutboundHttp', () => {
  let peer: HttpPeer;
  const clients: OutboundHttp[] = [];

  function outbound(options: Partial<OutboundHttpOptions> = {}): OutboundHttp {
    const client = new OutboundHttp({ allowPrivateAddresses: false, maxResponseBytes: 1024 * 1024, ...options });
    clients.push(client);
    return client;
  }

  async function failure(promise: Promise<unknown>): Promise<AppError> {
    try {
      await promise;
    } catch (error) {
      return error as AppError;
    }
    throw new Error('expected the request to fail');
  }

  /** Resolves every name through a fixed table (a stand-in for DNS). */
  function table(entries: Record<string, string>): HostResolver {
    return async (hostname) => {
      const address = entries[hostname];
      if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };
  }

  /** Treats the test server's own address as public, so redirect hops can be checked with the policy on. */
  const peerIsPublic = (address: string) => (address === '127.0.0.1' ? null : nonPublicAddressKind(address));

  beforeAll(async () => {
    peer = await startHttpPeer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (path === '/hello') return sendJson(res, 200, { hello: 'world', host: req.headers.host }, { 'x-peer': 'yes' });
      if (path === '/big') return sendText(res, 200, 'x'.repeat(5000));
      if (path === '/big-chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 50; i++) res.write('y'.repeat(100));
        return void res.end();
      }
      if (path === '/never') return; // never answers
      if (path === '/stall-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.write('partial');
      }
      if (path.startsWith('/redirect/')) {
        const target = decodeURIComponent(path.slice('/redirect/'.length));
        res.writeHead(Number(new URL(req.url, 'http://x').searchParams.get('status') ?? 302), { location: target });
        return void res.end();
      }
      if (path.startsWith('/loop/')) {
        const n = Number(path.slice('/loop/'.length));
        res.writeHead(302, { location: `/loop/${n + 1}` });
        return void res.end();
      }
      if (path === '/echo')
        return sendJson(res, 200, {
          method: req.method,
          body: req.body,
          authorization: req.headers.authorization ?? null,
          x_api_key: req.headers['x-api-key'] ?? null,
          subscription: req.headers['ocp-apim-subscription-key'] ?? null,
        });
      return sendText(res, 404, 'not found');
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await peer.close();
  });

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

  describe('OutboundHttp: the private-address policy', () => {
    it('refuses loopback, naming the host, the address and the config key, and sends nothing', async () => {
      const before = peer.requests.length;
      const error = await failure(outbound().fetch(`${peer.url}/hello`));
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(error.message).toContain('127.0.0.1');
      expect(error.message).toContain('loopback');
      expect(error.message).toContain('http.allow_private_addresses');
      expect(error.details).toMatchObject({ host: '127.0.0.1', address: '127.0.0.1', kind: 'loopback', config_key: 'http.allow_private_addresses' });
      expect(peer.requests.length).toBe(before);
    });

    it('refuses 10.x, IPv6 loopback and IPv4-mapped IPv6 literals', async () => {
      const http = outbound();
      expect((await failure(http.fetch('http://10.1.2.3/api'))).details).toMatchObject({ kind: 'private' });
      expect((await failure(http.fetch('http://[::1]:8080/'))).details).toMatchObject({ kind: 'loopback' });
      expect((await failure(http.fetch('http://[::ffff:127.0.0.1]/'))).details).toMatchObject({ address: '::ffff:7f00:1' });
      expect((await failure(http.fetch('http://169.254.169.254/latest/meta-data'))).details).toMatchObject({ kind: 'link-local' });
    });

    it('refuses a public-looking name that resolves to 127.0.0.1', async () => {
      const before = peer.requests.length;
      const resolve = table({ 'api.example.com': '127.0.0.1' });
      const error = await failure(outbound({ resolve }).fetch(`http://api.example.com:${peer.port}/hello`));
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(error.message).toContain('api.example.com (127.0.0.1)');
      expect(error.details).toMatchObject({ host: 'api.example.com', address: '127.0.0.1' });
      expect(peer.requests.length).toBe(before);
    });

    it('refuses a name when any one of its addresses is private', async () => {
      const resolve: HostResolver = async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ];
      const error = await failure(outbound({ resolve }).fetch('http://mixed.example.com/'));
      expect(error.details).toMatchObject({ host: 'mixed.example.com', address: '10.0.0.7', kind: 'private' });
    });

    it('refuses a redirect to loopback, by address or by a name that resolves there', async () => {
      const resolve = table({ 'sneaky.example.com': '127.0.0.2' });
      const http = outbound({ classifyAddress: peerIsPublic, resolve });
      const literal = await failure(http.fetch(`${peer.url}/redirect/${encodeURIComponent('http://127.0.0.2/admin')}`));
      expect(literal.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(literal.details).toMatchObject({ address: '127.0.0.2', kind: 'loopback' });
      const named = await failure(http.fetch(`${peer.url}/redirect/${encodeURIComponent(`http://sneaky.example.com:${peer.port}/hello`)}`));
      expect(named.details).toMatchObject({ host: 'sneaky.example.com', address: '127.0.0.2' });
    });

    it('refuses schemes other than http and https, and text that is not a URL', async () => {
      expect((await failure(outbound().fetch('file:///etc/passwd'))).code).toBe('OUTBOUND_BAD_URL');
      expect((await failure(outbound().fetch('not a url'))).message).toContain('not a valid URL');
      const redirectToFile = await failure(outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/redirect/${encodeURIComponent('file:///etc/passwd')}`));
      expect(redirectToFile.code).toBe('OUTBOUND_BAD_URL');
    });

    it('tells onRefused the reason of each request refused before it left, and nothing for one that failed later', async () => {
      const reasons: string[] = [];
      const onRefused = (reason: string) => void reasons.push(reason);
      await failure(outbound({ onRefused }).fetch(`${peer.url}/hello`));
      await failure(outbound({ onRefused }).fetch('file:///etc/passwd'));
      const credential = {
        credential: { name: 'team-api', provider: 'http', type: 'api_key' as const, fields: {}, hosts: ['api.example.com'] },
        headers: { authorization: 'Bearer sk-team' },
      };
      await failure(outbound({ allowPrivateAddresses: true, onRefused }).fetch(`${peer.url}/echo`, { credential }));
      await failure(outbound({ onRefused, resolve: table({}) }).fetch('http://nowhere.example.test/'));
      await outbound({ allowPrivateAddresses: true, onRefused }).fetch(`${peer.url}/hello`);
      expect(reasons).toEqual(['private_address', 'bad_url', 'credential_host']);
    });

    it('says clearly when a name does not resolve or the connection is refused', async () => {
      const unknown = await failure(outbound({ resolve: table({}) }).fetch('http://nowhere.example.test/'));
      expect(unknown.code).toBe('OUTBOUND_REQUEST_FAILED');
      expect(unknown.message).toContain('nowhere.example.test');
      const closed = await startHttpPeer(() => undefined);
      const port = closed.port;
      await closed.close();
      const refused = await failure(outbound({ allowPrivateAddresses: true }).fetch(`http://127.0.0.1:${port}/`));
      expect(refused.code).toBe('OUTBOUND_REQUEST_FAILED');
      expect(refused.message).toContain('refused');
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
