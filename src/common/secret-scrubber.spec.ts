import { describe, expect, it } from '@jest/globals';
import { MIN_SECRET_LENGTH, SecretScrubber } from './secret-scrubber.js';

const KEY = 'sk-live/abc+123=xyz?&';
const apiKey = { name: 'openai-key', type: 'api_key', fields: { key: KEY } };
const basic = { name: 'basic-login', type: 'user_password', fields: { username: 'ada', password: 'pa55word-long' } };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('SecretScrubber', () => {
  const scrubber = SecretScrubber.of([apiKey, basic]);

  it.each([
    ['raw', KEY],
    ['Bearer', `Bearer ${KEY}`],
    ['base64', b64(KEY)],
    ['base64 without padding', b64(KEY).replace(/=+$/, '')],
    ['base64url', Buffer.from(KEY).toString('base64url')],
    ['URL-encoded', encodeURIComponent(KEY)],
    ['JSON-escaped', JSON.stringify(KEY).slice(1, -1)],
  ])('replaces the %s form by [secret:<name>]', (_form, written) => {
    const scrubbed = scrubber.text(`before ${written} after`);
    expect(scrubbed).toBe('before [secret:openai-key] after');
  });

  it('replaces Basic base64(username:password) and the password alone', () => {
    const header = `Basic ${b64('ada:pa55word-long')}`;
    expect(scrubber.text(`auth=${header};`)).toBe('auth=[secret:basic-login];');
    expect(scrubber.text('user ada, password pa55word-long')).toBe('user ada, password [secret:basic-login]');
  });

  it('leaves secrets shorter than 8 characters, and non-secret fields, untouched', () => {
    expect(MIN_SECRET_LENGTH).toBe(8);
    const short = SecretScrubber.of([{ name: 'short', type: 'api_key', fields: { key: 'abc1234' } }]);
    expect(short.empty).toBe(true);
    expect(short.text('key abc1234')).toBe('key abc1234');
    const header = SecretScrubber.of([{ name: 'hdr', type: 'header', fields: { name: 'X-Custom-Token', value: 'header-value-1' } }]);
    expect(header.text('X-Custom-Token: header-value-1')).toBe('X-Custom-Token: [secret:hdr]');
    // `url` is secret only in a secret_url credential; smtp's host and username never are.
    const smtp = SecretScrubber.of([
      { name: 'mail', type: 'smtp', fields: { host: 'smtp.example.com', username: 'mailer-user', password: 'mail-password-1' } },
    ]);
    expect(smtp.text('smtp.example.com mailer-user mail-password-1')).toBe('smtp.example.com mailer-user [secret:mail]');
  });

  it('scrubs a secret_url, also as the URL parser prints it back', () => {
    const hook = SecretScrubber.of([{ name: 'slack', type: 'secret_url', fields: { url: 'https://HOOKS.example.com/services/T0/B0/xyz' } }]);
    expect(hook.text('posting to https://hooks.example.com/services/T0/B0/xyz failed')).toBe('posting to [secret:slack] failed');
  });

  it('walks JSON values: nested strings and keys; untouched parts are the same objects', () => {
    const untouched = { deep: ['nothing here'] };
    const value = { status: 401, body: { echoed: [`Bearer ${KEY}`, { [KEY]: 1 }] }, untouched, n: null, ok: true };
    const scrubbed = scrubber.value(value);
    expect(scrubbed).toEqual({ status: 401, body: { echoed: ['[secret:openai-key]', { '[secret:openai-key]': 1 }] }, untouched, n: null, ok: true });
    expect(scrubbed.untouched).toBe(untouched);
    expect(value.body.echoed[0]).toBe(`Bearer ${KEY}`); // the input is not changed
    const clean = { a: [1, 'x'], b: { c: 'y' } };
    expect(scrubber.value(clean)).toBe(clean);
  });

  it('finds a secret with quotes and backslashes nested in a value (the serialised pre-check escapes them)', () => {
    const odd = SecretScrubber.of([{ name: 'odd', type: 'api_key', fields: { key: 'pa"ss\\word\u00e9-1' } }]);
    expect(odd.value({ a: [{ b: 'x pa"ss\\word\u00e9-1 y' }] })).toEqual({ a: [{ b: 'x [secret:odd] y' }] });
  });

  it('keeps a __proto__ key as data', () => {
    const value = JSON.parse(`{"__proto__": "${KEY}", "a": 1}`) as Record<string, unknown>;
    const scrubbed = scrubber.value(value);
    expect(Object.getPrototypeOf(scrubbed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(scrubbed, '__proto__')?.value).toBe('[secret:openai-key]');
  });

  it('handles many secrets in one pass, the longer form winning where forms overlap', () => {
    const holders = Array.from({ length: 300 }, (_, i) => ({
      name: `cred-${i}`,
      type: 'api_key',
      fields: { key: `token-${String(i).padStart(4, '0')}-secret` },
    }));
    holders.push({ name: 'longer', type: 'api_key', fields: { key: 'token-0007-secret-and-more' } });
    const many = SecretScrubber.of(holders);
    const text = holders.map((h) => h.fields.key).join(' ');
    const scrubbed = many.text(text);
    expect(scrubbed).not.toMatch(/token-\d{4}-secret/);
    expect(scrubbed.split(' ')).toEqual(holders.map((h) => `[secret:${h.name}]`));
    // A large value with no secret: one scan, unchanged.
    const big = 'x'.repeat(2_000_000);
    expect(many.text(big)).toBe(big);
  });

  it('changes nothing without credentials', () => {
    const none = SecretScrubber.of([]);
    expect(none.empty).toBe(true);
    const value = { a: KEY };
    expect(none.value(value)).toBe(value);
  });
});
