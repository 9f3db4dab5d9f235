import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import { lazyChild } from './lazy-logger.js';

function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>>; children: () => number } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  let made = 0;
  const logger = pino({ level: 'info', onChild: () => void made++ }, stream);
  return { logger, lines, children: () => made };
}

describe('lazyChild', () => {
  it('makes no child while nothing logs', () => {
    const { logger, children } = capture();
    lazyChild(logger, { node_id: 'a' });
    expect(children()).toBe(0);
  });

  it('logs with the bindings once used, through one child, and honours the level', async () => {
    const { logger, lines, children } = capture();
    const lazy = lazyChild(logger, { node_id: 'a' });
    lazy.warn({ extra: 1 }, 'first');
    lazy.info('second');
    lazy.debug('below the level');
    expect(lazy.isLevelEnabled('debug')).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(children()).toBe(1);
    expect(lines.map((l) => [l.node_id, l.msg, l.extra])).toEqual([
      ['a', 'first', 1],
      ['a', 'second', undefined],
    ]);
  });

  it('makes grandchildren that keep both bindings', async () => {
    const { logger, lines } = capture();
    lazyChild(logger, { execution_id: 'e' }).child({ tool: 't' }).info('nested');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ execution_id: 'e', tool: 't', msg: 'nested' });
  });
});
