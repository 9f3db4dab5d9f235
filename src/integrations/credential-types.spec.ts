import { describe, expect, it } from '@jest/globals';
import { checkSecrets, describeFields, metadataOf } from './credential-types.js';

describe('checkSecrets', () => {
  it.each([
    ['api_key', { key: 'sk-1' }, { key: 'sk-1' }],
    ['user_password', { username: 'ann', password: 'p' }, { username: 'ann', password: 'p' }],
    ['webhook_secret', { secret: 's' }, { secret: 's' }],
    ['secret_url', { url: 'https://hooks.slack.com/services/T/B/X' }, { url: 'https://hooks.slack.com/services/T/B/X' }],
    ['header', { name: 'X-Api-Key', value: 'v' }, { name: 'X-Api-Key', value: 'v' }],
    ['smtp', { host: 'mail', port: 465 }, { host: 'mail', port: '465', secure: 'true' }],
    [
      'smtp',
      { host: 'mail', port: '587', secure: false, username: 'u', password: 'p', from: 'Bot <bot@example.com>' },
      { host: 'mail', port: '587', secure: 'false', username: 'u', password: 'p', from: 'Bot <bot@example.com>' },
    ],
    [
      'oauth2',
      { access_token: 'a', refresh_token: 'r', expires_at: '2030-01-01T01:00:00+01:00', scopes: ['repo', ' gist '] },
      { access_token: 'a', refresh_token: 'r', expires_at: '2030-01-01T00:00:00.000Z', scopes: 'repo gist' },
    ],
    ['oauth2', { access_token: 'a', scopes: 'repo,gist read:user', refresh_token: null }, { access_token: 'a', scopes: 'repo gist read:user' }],
  ] as const)('accepts %s %j as strings', (type, secrets, fields) => {
    const checked = checkSecrets(type, secrets);
    expect(checked).toEqual({ ok: { fields, metadata: expect.any(Object) } });
  });

  it('lists every problem at once, with pointers', () => {
    const checked = checkSecrets('smtp', { port: 'x', secure: 1, username: 'u', from: 'no', color: 'red' });
    expect('problems' in checked && checked.problems).toEqual([
      { pointer: '/secrets/color', message: 'unknown field "color" for type smtp: the fields are {host, port, secure?, username?, password?, from?}' },
      { pointer: '/secrets/host', message: '"host" is required for type smtp {host, port, secure?, username?, password?, from?}' },
      { pointer: '/secrets/port', message: '"port": expected a port number from 1 to 65535, such as 587' },
      { pointer: '/secrets/secure', message: '"secure": expected true or false' },
      { pointer: '/secrets/from', message: '"from": expected an address such as bot@example.com or "Bot <bot@example.com>"' },
      { pointer: '/secrets/password', message: 'give both "username" and "password", or neither (for a server without authentication)' },
    ]);
  });

  it('never echoes a field name that may be a pasted secret, nor any value', () => {
    const checked = checkSecrets('api_key', { 'sk-live-AbC123': '', key: 42, __proto__: 'x' } as Record<string, unknown>);
    const text = JSON.stringify(checked);
    expect(text).not.toContain('sk-live-AbC123');
    expect(text).not.toContain('42');
    expect('problems' in checked && checked.problems[0]).toEqual({
      pointer: '/secrets',
      message: 'an unknown field (its name is not shown, in case it is a secret) for type api_key: the fields are {key}',
    });
  });

  it('refuses what is not an object, and prototype keys are not fields', () => {
    expect(checkSecrets('api_key', ['k'])).toEqual({ problems: [{ pointer: '/secrets', message: 'expected an object with the api_key fields {key}' }] });
    expect(checkSecrets('api_key', null, '/x')).toEqual({ problems: [{ pointer: '/x', message: 'expected an object with the api_key fields {key}' }] });
    const viaPrototype = checkSecrets('api_key', Object.create({ key: 'inherited' }));
    expect('problems' in viaPrototype && viaPrototype.problems[0]!.pointer).toBe('/secrets/key');
  });
});

describe('metadataOf and describeFields', () => {
  it("lists only an OAuth2 credential's scopes and expiry", () => {
    expect(metadataOf('oauth2', { access_token: 'a', refresh_token: 'r', scopes: 'repo gist', expires_at: '2030-01-01T00:00:00.000Z' })).toEqual({
      scopes: ['repo', 'gist'],
      expires_at: '2030-01-01T00:00:00.000Z',
    });
    expect(metadataOf('oauth2', { access_token: 'a' })).toEqual({});
    expect(metadataOf('api_key', { key: 'k' })).toEqual({});
    expect(describeFields('oauth2')).toBe('{access_token, refresh_token?, expires_at?, scopes?}');
  });
});
