import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JwksClient } from './jwks.client.js';

describe('JwksClient', () => {
  const first = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const second = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  let keys: object[] = [{ ...first.export({ format: 'jwk' }), kid: 'a', use: 'sig' }];
  let status = 200;
  let fetches = 0;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers the PEM of the key with the kid, and the only key when the token names none', async () => {
    const client = new JwksClient(url);
    expect(await client.keyFor('a')).toBe(first.export({ type: 'spki', format: 'pem' }));
    expect(await client.keyFor(undefined)).toBe(first.export({ type: 'spki', format: 'pem' }));
  });

  it('refetches for an unknown kid at most every 30 s, picking up rotated keys', async () => {
    let now = 1_000_000;
    const client = new JwksClient(url, () => now);
    fetches = 0;
    await client.keyFor('a');
    keys = [...keys, { ...second.export({ format: 'jwk' }), kid: 'b', use: 'sig' }, { kty: 'oct', k: 'c2VjcmV0', kid: 'c' }];
    now += 10_000;
    expect(await client.keyFor('b')).toBeNull();
    expect(fetches).toBe(1);
    now += 30_000;
    expect(await client.keyFor('b')).toBe(second.export({ type: 'spki', format: 'pem' }));
    expect(fetches).toBe(2);
    // Symmetric keys in a JWKS are never used.
    expect(await client.keyFor('c')).toBeNull();
  });

  it('keeps serving known keys while the URL fails, and says why when it has none', async () => {
    let now = 0;
    const client = new JwksClient(url, () => now);
    await client.keyFor('a');
    status = 503;
    now += 11 * 60_000;
    expect(await client.keyFor('a')).not.toBeNull();
    const fresh = new JwksClient(url);
    await expect(fresh.keyFor('a')).rejects.toThrow('HTTP 503');
    // Within the refetch interval the reason is said again rather than "no matching key".
    await expect(fresh.keyFor('a')).rejects.toThrow('HTTP 503');
    status = 200;
  });
});
