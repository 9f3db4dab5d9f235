import { describe, expect, it } from '@jest/globals';
import type { NodeRun } from './engine.types.js';
import type { CompiledNode } from './graph.compiler.js';
import { eventOutcome, eventRequestOf, reviewOutcome, reviewRequestOf, type ReviewEnd } from './wait-suspensions.js';

const node = { id: 'review' } as CompiledNode;
const run = (inputs: Record<string, unknown>) => ({ inputs }) as unknown as NodeRun;
const decided = (status: ReviewEnd['status'], on_timeout: ReviewEnd['on_timeout'] = 'reject'): ReviewEnd => ({
  status,
  data: { text: 'hi' },
  decision:
    status === 'timed_out' ? null : { decision: status === 'approved' ? 'approve' : 'reject', by: 'alice', at: '2026-12-07T00:00:00.000Z', comment: 'c' },
  on_timeout,
});

describe('human.review requests', () => {
  it('defaults decisions, timeout (7d) and on_timeout (reject)', () => {
    expect(reviewRequestOf(run({ title: 'T', data: 1 }), node)).toMatchObject({
      title: 'T',
      data: 1,
      decisions: ['approve', 'reject'],
      timeout_ms: 7 * 24 * 3600 * 1000,
      on_timeout: 'reject',
      reviewers: null,
    });
  });

  it.each([
    [{ decisions: ['approve', 'merge'] }, 'decisions'],
    [{ decisions: ['approve', 'edit'] }, 'schema'],
    [{ timeout: 'soon' }, 'timeout'],
    [{ on_timeout: 'retry' }, 'on_timeout'],
    [{ reviewers: { users: [1] } }, 'reviewers'],
  ])('refuses %j, naming %s', (inputs, word) => {
    const result = reviewRequestOf(run({ title: 'T', ...inputs }), node);
    expect(result).toMatchObject({ ok: false, error: { code: 'NODE_FAILED' } });
    expect(JSON.stringify(result)).toContain(word);
  });
});

describe('human.review outcomes', () => {
  it('approved yields the data and the decision; rejected yields {data, comment}', () => {
    expect(reviewOutcome('review', decided('approved'))).toEqual({
      ok: true,
      yields: [
        ['approved', { text: 'hi' }],
        ['decision', decided('approved').decision],
      ],
    });
    expect(reviewOutcome('review', decided('rejected'))).toMatchObject({
      ok: true,
      yields: [
        ['rejected', { data: { text: 'hi' }, comment: 'c' }],
        ['decision', {}],
      ],
    });
  });

  it.each([
    ['reject', 'rejected'],
    ['approve', 'approved'],
  ] as const)('a timeout with on_timeout %s yields %s, by null', (onTimeout, pin) => {
    const outcome = reviewOutcome('review', decided('timed_out', onTimeout));
    expect(outcome.ok && outcome.yields[0]![0]).toBe(pin);
    expect(outcome.ok && outcome.yields[1]![1]).toMatchObject({ by: null });
  });

  it('a timeout with on_timeout fail is REVIEW_TIMEOUT; a cancelled review is CANCELLED', () => {
    expect(reviewOutcome('review', decided('timed_out', 'fail'))).toMatchObject({ ok: false, error: { code: 'REVIEW_TIMEOUT' } });
    expect(reviewOutcome('review', decided('cancelled'))).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });
});

describe('wait.event', () => {
  it.each([['a'], ['order-1.x:y_z'], ['x'.repeat(200)]])('accepts key %s', (key) => {
    expect(eventRequestOf(run({ key }), node)).toMatchObject({ key, timeout_ms: 3_600_000, on_timeout: 'fail' });
  });

  it.each([[''], ['has space'], ['x'.repeat(201)], [7]])('refuses key %j', (key) => {
    expect(eventRequestOf(run({ key }), node)).toMatchObject({ ok: false, error: { code: 'NODE_FAILED' } });
  });

  it('yields the event and headers, or on timeout EVENT_TIMEOUT (fail) or null and {} (continue)', () => {
    expect(eventOutcome('w', 'k', { event: { a: 1 }, headers: { 'x-a': 'b' } }, 'fail')).toEqual({
      ok: true,
      yields: [
        ['event', { a: 1 }],
        ['headers', { 'x-a': 'b' }],
      ],
    });
    expect(eventOutcome('w', 'k', null, 'fail')).toMatchObject({ ok: false, error: { code: 'EVENT_TIMEOUT' } });
    expect(eventOutcome('w', 'k', null, 'continue')).toEqual({
      ok: true,
      yields: [
        ['event', null],
        ['headers', {}],
      ],
    });
  });
});
