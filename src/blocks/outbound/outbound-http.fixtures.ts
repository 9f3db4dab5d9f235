// What OutboundHttp's specs (outbound-http.spec.ts, outbound-http.policy.spec.ts) share: a peer with a route per
// behaviour (redirects, loops, big and stalled bodies, an echo), as a live binding set by `useOutboundPeer`'s
// beforeAll, and helpers to build a client (closed after each test), resolve names and catch a refusal.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { startHttpPeer, sendJson, sendText, type HttpPeer } from '../../../test/blocks/peers/http-peer.js';
import type { AppError } from '../../common/errors.js';
import { nonPublicAddressKind } from './address-policy.js';
import type { HostResolver } from './host-resolver.js';
import { OutboundHttp, type OutboundHttpOptions } from './outbound-http.js';

export let peer: HttpPeer;
const clients: OutboundHttp[] = [];

export function outbound(options: Partial<OutboundHttpOptions> = {}): OutboundHttp {
  const client = new OutboundHttp({ allowPrivateAddresses: false, maxResponseBytes: 1024 * 1024, ...options });
  clients.push(client);
  return client;
}

export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected the request to fail');
}

/** Resolves every name through a fixed table (a stand-in for DNS). */
export function table(entries: Record<string, string>): HostResolver {
  return async (hostname) => {
    const address = entries[hostname];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
}

/** Treats the test server's own address as public, so redirect hops can be checked with the policy on. */
export const peerIsPublic = (address: string) => (address === '127.0.0.1' ? null : nonPublicAddressKind(address));

/** Starts the peer before the tests of the describe it is called in, closes each test's clients, and the peer at the end. */
export function useOutboundPeer(): void {
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
}
