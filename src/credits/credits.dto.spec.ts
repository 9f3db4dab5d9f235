import { describe, expect, it } from '@jest/globals';
import { decodeTransactionsCursor, encodeTransactionsCursor, transactionView } from './credits.dto.js';

describe('transactions cursor', () => {
  it('round-trips an id', () => {
    expect(decodeTransactionsCursor(encodeTransactionsCursor('42'))).toBe('42');
    expect(decodeTransactionsCursor(encodeTransactionsCursor('9223372036854775807'))).toBe('9223372036854775807');
  });

  it.each([
    ['no cursor', undefined, undefined],
    ['an empty cursor', '', undefined],
    ['garbage', 'garbage', null],
    ['JSON without before', Buffer.from('{"x":1}').toString('base64url'), null],
    ['a non-numeric id', Buffer.from('{"before":"1 OR 1=1"}').toString('base64url'), null],
    ['a numeric before', Buffer.from('{"before":5}').toString('base64url'), null],
    ['a zero id', Buffer.from('{"before":"0"}').toString('base64url'), null],
  ])('reads %s as %p', (_what, cursor, expected) => {
    expect(decodeTransactionsCursor(cursor)).toBe(expected);
  });
});

describe('transactionView', () => {
  it('turns bigint strings into numbers and times into ISO text', () => {
    const created = new Date('2026-01-02T03:04:05.000Z');
    expect(
      transactionView({
        id: '7',
        type: 'USAGE',
        amount: '-3',
        running_balance: '97',
        reason: null,
        execution_id: 'e',
        node_execution_id: 'n',
        attempt: 2,
        block: 'code.js',
        created_at: created,
      }),
    ).toEqual({
      id: '7',
      type: 'USAGE',
      amount: -3,
      running_balance: 97,
      reason: null,
      execution_id: 'e',
      node_execution_id: 'n',
      attempt: 2,
      block: 'code.js',
      created_at: '2026-01-02T03:04:05.000Z',
    });
  });
});
