import { describe, expect, it } from '@jest/globals';
import type { BusEvent } from '../../executions/events/execution-events.js';
import { outcomeOfEvent } from './early-answer.js';

const base = { execution_id: 'e1', graph_id: 'g', user_id: 'u' };
const node = (data: Record<string, unknown>): BusEvent => ({ event: 'node_execution_update', data: { ...base, ...data } });

describe('outcomeOfEvent (respond: by_output)', () => {
  it('takes the value of a COMPLETED output named http_response, by its name or by its id', () => {
    const value = { status: 201, body: 'ok' };
    expect(outcomeOfEvent(node({ node_id: 'reply', block: 'output', status: 'COMPLETED', inputs: { name: 'http_response', value } }), 'e1')).toEqual({
      kind: 'answer',
      value,
    });
    expect(outcomeOfEvent(node({ node_id: 'http_response', block: 'output', status: 'COMPLETED', inputs: { value } }), 'e1')).toEqual({
      kind: 'answer',
      value,
    });
  });

  it('ignores other outputs, unfinished or failed output runs, other blocks and other executions', () => {
    expect(outcomeOfEvent(node({ node_id: 'x', block: 'output', status: 'COMPLETED', inputs: { name: 'result', value: 1 } }), 'e1')).toBeNull();
    expect(outcomeOfEvent(node({ node_id: 'r', block: 'output', status: 'FAILED', inputs: { name: 'http_response', value: 1 } }), 'e1')).toBeNull();
    expect(outcomeOfEvent(node({ node_id: 'http_response', block: 'code.js', status: 'COMPLETED', inputs: {} }), 'e1')).toBeNull();
    expect(outcomeOfEvent(node({ node_id: 'r', block: 'output', status: 'COMPLETED', inputs: { name: 'http_response', value: 1 } }), 'e2')).toBeNull();
  });

  it("ends the wait on the execution's final status only", () => {
    const update = (status: string): BusEvent => ({ event: 'graph_execution_update', data: { ...base, status } });
    expect(outcomeOfEvent(update('RUNNING'), 'e1')).toBeNull();
    expect(outcomeOfEvent(update('FAILED'), 'e1')).toEqual({ kind: 'ended' });
    expect(outcomeOfEvent({ event: 'notification', data: { id: 'n', user_id: 'u' } }, 'e1')).toBeNull();
  });
});
