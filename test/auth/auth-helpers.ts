// Helpers of the auth tests: users made through the admin API, and an app with extra test-only controllers.
import { createHmac, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { Type } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/app.js';

export const ADMIN_KEY = TEST_ADMIN_KEY;

export interface MadeUser {
  user: { id: string; handle: string; role: string };
  key: string;
  keyId: string;
}

/** POST /api/admin/users with the configured admin key; answers the user and its first key. */
export async function makeUser(t: Pick<TestApp, 'http'>, handle: string, body: Record<string, unknown> = {}): Promise<MadeUser> {
  const res = await request(t.http)
    .post('/api/admin/users')
    .set('X-API-Key', ADMIN_KEY)
    .send({ handle, ...body });
  if (res.status !== 201) throw new Error(`could not create user ${handle}: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body.user, key: res.body.api_key.key, keyId: res.body.api_key.id };
}

/** A key of `user` with these scopes, made with the user's own key. */
export async function makeKey(
  t: Pick<TestApp, 'http'>,
  ownerKey: string,
  scopes?: string[],
  extra: Record<string, unknown> = {},
): Promise<{ key: string; id: string }> {
  const res = await request(t.http)
    .post('/api/user/api-keys')
    .set('X-API-Key', ownerKey)
    .send({ name: 'test key', ...(scopes ? { scopes } : {}), ...extra });
  if (res.status !== 201) throw new Error(`could not create a key: ${res.status} ${JSON.stringify(res.body)}`);
  return { key: res.body.key, id: res.body.id };
}

export interface ProbeApp extends TestApp {
  logLines: string[];
}

/**
 * The real application plus test-only controllers (never shipped in src/), with a logger whose lines the
 * test can read (`t.logs()`).
 */
export function createProbeApp(controllers: Type[], options: { env?: Record<string, string>; overrides?: Record<string, unknown> } = {}): Promise<ProbeApp> {
  return createTestApp({ label: 'probe', ...options, controllers, captureLogs: { level: 'info', logger: 'plain' } });
}

export type JwtSigner = { alg: 'HS256'; secret: string } | { alg: 'RS256'; privateKey: KeyObject; kid?: string };

/** A compact JWS signed with node:crypto, so the test depends on nothing the server uses to verify. */
export function signJwt(claims: Record<string, unknown>, signer: JwtSigner): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: signer.alg, typ: 'JWT', ...(signer.alg === 'RS256' && signer.kid ? { kid: signer.kid } : {}) };
  const body = { iat: now, exp: now + 300, ...claims };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(body)}`;
  const signature =
    signer.alg === 'HS256' ? createHmac('sha256', signer.secret).update(input).digest() : cryptoSign('sha256', Buffer.from(input), signer.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}
