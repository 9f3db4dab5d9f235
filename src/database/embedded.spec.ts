// The embedded Postgres's port: freePort finds one free, initdb runs, then Postgres binds it; another first start
// in the meantime (two at once, as in a test run) may take it. onFreePort then starts on another port.
import { describe, expect, it } from '@jest/globals';
import { onFreePort } from './embedded.js';

/** What spawnPostgres rejects with when the port is taken (its message, as Postgres printed it under LC_MESSAGES=C). */
const taken = (port: number) =>
  new Error(
    `the embedded Postgres in /tmp/p/.trellis/postgres stopped while starting (exit code 1); it said: 2026-12-07 23:54:18.035 UTC [31733] LOG:  could not bind IPv4 address "127.0.0.1": Address already in use | 2026-12-07 23:54:18.035 UTC [31733] HINT:  Is another postmaster already running on port ${port}? If not, wait a few seconds and retry. | 2026-12-07 23:54:18.035 UTC [31733] FATAL:  could not create any TCP/IP sockets`,
  );

describe('onFreePort', () => {
  it('starts on the port found free, or on another when a process took it meanwhile', async () => {
    const tried: number[] = [];
    const start = async (port: number) => {
      tried.push(port);
      if (port === 54329) throw taken(port);
      return `postgres on ${port}`;
    };
    expect(await onFreePort(54329, start, async () => 40001)).toEqual({ started: 'postgres on 40001', port: 40001 });
    expect(tried).toEqual([54329, 40001]);
    expect(await onFreePort(54330, start, async () => 40001)).toEqual({ started: 'postgres on 54330', port: 54330 });
  });

  it('gives up after three taken ports, and at once on any other failure', async () => {
    let next = 40000;
    const alwaysTaken = async (port: number): Promise<string> => {
      throw taken(port);
    };
    await expect(onFreePort(54329, alwaysTaken, async () => ++next)).rejects.toThrow('port 40002?');
    let calls = 0;
    const broken = async (): Promise<string> => {
      calls += 1;
      throw new Error('the embedded Postgres in /tmp/p stopped while starting (exit code 1); it said: FATAL:  data directory has wrong ownership');
    };
    await expect(onFreePort(54329, broken, async () => ++next)).rejects.toThrow('wrong ownership');
    expect(calls).toBe(1);
  });
});
