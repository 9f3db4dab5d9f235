import { describe, expect, it } from '@jest/globals';
import { HIDDEN_HEADERS, storableHeaders, withStorableHeaders } from './stored-headers.js';

describe('storableHeaders', () => {
  it('drops every hidden header in any case, lower-cases names and joins repeated values', () => {
    const given: Record<string, unknown> = { 'X-Custom': 'a', Accept: ['x', 'y'], Empty: undefined };
    for (const name of HIDDEN_HEADERS) given[name.toUpperCase()] = 'secret';
    expect(storableHeaders(given)).toEqual({ 'x-custom': 'a', accept: 'x, y' });
  });

  it('keeps a header named __proto__ as an own value, never as the prototype of the map', () => {
    const given = JSON.parse('{"__proto__": "p", "x-a": "b"}') as Record<string, unknown>;
    const kept = storableHeaders(given);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.entries(kept)).toEqual([
      ['__proto__', 'p'],
      ['x-a', 'b'],
    ]);
  });

  it('names what the spec lists: credentials, Trellis and GitHub signatures and the timestamp', () => {
    expect([...HIDDEN_HEADERS].sort()).toEqual([
      'authorization',
      'cookie',
      'proxy-authorization',
      'x-api-key',
      'x-hub-signature',
      'x-hub-signature-256',
      'x-trellis-signature',
      'x-trellis-signature-256',
      'x-trellis-timestamp',
    ]);
  });

  it('filters the headers of hand-given trigger outputs and leaves other outputs as they are', () => {
    expect(withStorableHeaders({ body: 1, headers: { Cookie: 'c', 'X-A': 'b' } })).toEqual({ body: 1, headers: { 'x-a': 'b' } });
    const none = { body: 1 };
    expect(withStorableHeaders(none)).toBe(none);
    expect(withStorableHeaders({ headers: 'text' })).toEqual({ headers: 'text' });
  });
});
