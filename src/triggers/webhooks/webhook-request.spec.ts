import { describe, expect, it } from '@jest/globals';
import { webhookSignature } from '../../blocks/library/communication/webhook-signature.js';
import { checkHttpResponse } from '../../executions/engine/http-response.js';
import { bodyHash, checkSignature, httpResponseFrom, parseWait, parseWebhookBody, shapedAnswerHeaders, visibleHeaders } from './webhook-request.js';

const SECRET = 'shh-its-a-secret';
const NOW = 1_700_000_000_000;
const TOLERANCE = 5 * 60_000;
const body = Buffer.from('{"hello":"world"}');
const seconds = NOW / 1000;

describe('checkSignature', () => {
  const good = webhookSignature(SECRET, seconds, body);
  it.each([
    ['a correct signature', String(seconds), good, null],
    ['a correct signature 4 minutes old', String(seconds - 240), webhookSignature(SECRET, seconds - 240, body), null],
    ['no timestamp', undefined, good, 'missing'],
    ['no signature', String(seconds), undefined, 'missing'],
    ['a timestamp that is not digits', '2023-11-14T22:13:20Z', good, 'bad_timestamp'],
    ['a timestamp 6 minutes old', String(seconds - 360), webhookSignature(SECRET, seconds - 360, body), 'stale'],
    ['a timestamp 6 minutes ahead', String(seconds + 360), webhookSignature(SECRET, seconds + 360, body), 'stale'],
    ['another secret', String(seconds), webhookSignature('other', seconds, body), 'mismatch'],
    ['a signature of another timestamp', String(seconds), webhookSignature(SECRET, seconds - 1, body), 'mismatch'],
    ['a signature of another body', String(seconds), webhookSignature(SECRET, seconds, Buffer.from('{}')), 'mismatch'],
    ['a truncated signature', String(seconds), good.slice(0, 20), 'mismatch'],
    ['a signature without the sha256= prefix', String(seconds), good.slice('sha256='.length), 'mismatch'],
  ] as const)('%s', (_name, timestamp, signature, expected) => {
    expect(checkSignature(SECRET, body, timestamp, signature, TOLERANCE, NOW)).toBe(expected);
  });
});

describe('parseWebhookBody', () => {
  it.each([
    ['JSON with application/json', '{"a":[1,2]}', 'application/json; charset=utf-8', { ok: true, body: { a: [1, 2] } }],
    ['JSON with a +json type', '{"a":1}', 'application/vnd.api+json', { ok: true, body: { a: 1 } }],
    ['text as a string', 'hello', 'text/plain', { ok: true, body: 'hello' }],
    ['JSON-looking text without a JSON type, as a string', '{"a":1}', undefined, { ok: true, body: '{"a":1}' }],
    ['a form as its text', 'a=1&b=2', 'application/x-www-form-urlencoded', { ok: true, body: 'a=1&b=2' }],
    ['an empty body as null', '', 'application/json', { ok: true, body: null }],
  ] as const)('%s', (_name, text, type, expected) => {
    expect(parseWebhookBody(Buffer.from(text), type)).toEqual(expected);
  });

  it('answers why broken JSON is broken', () => {
    const parsed = parseWebhookBody(Buffer.from('{"a":'), 'application/json');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/JSON/);
  });

  it('takes no body as null', () => {
    expect(parseWebhookBody(undefined, undefined)).toEqual({ ok: true, body: null });
  });
});

describe('visibleHeaders', () => {
  it('lower-cases names, joins repeated values and drops signatures and credentials', () => {
    expect(
      visibleHeaders({
        'Content-Type': 'application/json',
        'x-trellis-signature-256': 'sha256=abc',
        'x-trellis-timestamp': '1',
        authorization: 'Bearer x',
        cookie: 'a=b',
        'x-api-key': 'trl_x',
        'x-hub-signature-256': 'sha256=def',
        'x-forwarded-for': ['1.1.1.1', '2.2.2.2'],
        'x-missing': undefined,
      }),
    ).toEqual({ 'content-type': 'application/json', 'x-forwarded-for': '1.1.1.1, 2.2.2.2' });
  });
});

describe('parseWait', () => {
  it.each([
    ['5', 5_000],
    ['0.5', 500],
    ['500ms', 500],
    ['10s', 10_000],
    ['1m', 60_000],
    ['60s', 60_000],
    ['61s', null],
    ['2m', null],
    ['soon', null],
    ['-1', null],
  ] as const)('%s -> %s', (raw, expected) => {
    expect(parseWait(raw)).toBe(expected);
  });
});

describe('httpResponseFrom', () => {
  it('takes status, headers and body', () => {
    expect(httpResponseFrom({ status: 201, headers: { 'X-Id': 7 }, body: { ok: true } })).toEqual({
      status: 201,
      headers: { 'X-Id': '7' },
      body: { ok: true },
    });
  });
  it('defaults to 200 and a null body', () => {
    expect(httpResponseFrom({})).toEqual({ status: 200, headers: {}, body: null });
  });
  it.each([
    [null],
    ['text'],
    [[1]],
    [{ status: 42 }],
    [{ status: 101 }],
    [{ status: 600 }],
    [{ status: '200' }],
    [{ status: 'teapot' }],
    [{ headers: { 'bad name': 'x', good: 'y' } }],
    [{ headers: { 'X-A': 'a\r\nSet-Cookie: s=1' } }],
    [{ headers: { 'X-A': 'a\u0000' } }],
    [{ headers: { 'set-cookie': 's=1' } }],
    [{ headers: { 'Content-Length': '1' } }],
    [{ headers: { 'Transfer-Encoding': 'chunked' } }],
    [{ headers: { 'Strict-Transport-Security': 'max-age=0' } }],
    [{ headers: { 'Content-Security-Policy': 'default-src *' } }],
    [{ headers: { 'access-control-allow-origin': '*' } }],
    [{ headers: { 'X-A': { nested: true } } }],
  ])('refuses %j (the engine fails such an http_response node with HTTP_RESPONSE_INVALID)', (value) => {
    expect(httpResponseFrom(value)).toBeNull();
    expect(checkHttpResponse(value)).toMatchObject({ ok: false, problem: expect.any(String) });
  });
  it('keeps tabs and spaces in header values', () => {
    expect(httpResponseFrom({ headers: { 'X-A': 'a\tb c' } })?.headers).toEqual({ 'X-A': 'a\tb c' });
  });
});

describe('shapedAnswerHeaders', () => {
  it('adds nosniff and the sandbox policy, unless webhooks.html_responses lists the agent', () => {
    const answer = { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<b>x</b>' };
    expect(shapedAnswerHeaders(answer, 'page', [])).toEqual({
      'Content-Type': 'text/html',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
    });
    expect(shapedAnswerHeaders(answer, 'page', ['page'])).toEqual({ 'X-Content-Type-Options': 'nosniff', 'Content-Type': 'text/html' });
  });
});

describe('bodyHash', () => {
  it('is the same for the same bytes and differs otherwise', () => {
    expect(bodyHash(Buffer.from('a'))).toBe(bodyHash(Buffer.from('a')));
    expect(bodyHash(Buffer.from('a'))).not.toBe(bodyHash(Buffer.from('b')));
    expect(bodyHash(undefined)).toBe(bodyHash(Buffer.alloc(0)));
  });
});
