import { describe, expect, it } from '@jest/globals';
import type { RemoteClient } from './remote-client.js';
import { executionsRestartCommand } from './remote-executions.command.js';

/** A client whose POST answers `answer` and remembers what it was asked. */
function fakeClient(answer: Record<string, unknown>) {
  const asked: Array<{ path: string; options: unknown }> = [];
  const client = {
    post: (path: string, options: unknown) => {
      asked.push({ path, options });
      return Promise.resolve(answer);
    },
  } as unknown as RemoteClient;
  return { client, asked };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), cwd: '/', env: {} } };
}

describe('trellis executions retry', () => {
  it('warns about each node with outside effects that runs again after being stopped mid-attempt', async () => {
    const { client, asked } = fakeClient({
      id: 'new-id',
      status: 'QUEUED',
      rerun_side_effects: [{ node_id: 'notify', block: 'slack.post', node_execution_id: 'n1' }],
    });
    const { out, err, io: cli } = io();
    expect(await executionsRestartCommand(client, 'old-id', 'retry', undefined, cli)).toBe(0);
    expect(asked[0]).toMatchObject({ path: '/api/executions/old-id/retry', options: { json: { version: 'same' } } });
    expect(out).toEqual(['new-id\n']);
    expect(err.join('')).toContain('warning: node notify (slack.post) was stopped mid-attempt and runs again: its outside effect may happen twice');
  });

  it('prints no warning when nothing with outside effects runs again', async () => {
    const { client } = fakeClient({ id: 'new-id', status: 'QUEUED', rerun_side_effects: [] });
    const { err, io: cli } = io();
    await executionsRestartCommand(client, 'old-id', 'retry', 'latest', cli);
    expect(err).toEqual(['execution new-id (retry of old-id) is QUEUED\n']);
  });
});
