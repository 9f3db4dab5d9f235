// `trellis plan` and `trellis sync`, run in-process through commander, connecting to DATABASE_URL as
// the real command does (migrations included).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import type { CliIo } from '../../src/agents/agents.command.js';
import { registerSyncCommands } from '../../src/agents/agents-sync.command.js';
import { openDataSource } from '../../src/entities.js';
import { connect, createEmptyDatabase, type TestDatabase } from '../helpers/database.js';
import { agentText, removeFolder, tempFolder, writeFile } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('the sync and plan commands', () => {
  let database: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    // An empty database: the command migrates it first, as `trellis start` does.
    database = await createEmptyDatabase('synccli');
    dir = tempFolder('cli');
    writeFile(dir, 'greeter.yaml', agentText('greeter'));
  });

  afterAll(async () => {
    await database.drop();
    removeFolder(dir);
  });

  async function trellis(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = {
      out: (text) => void (out += text),
      err: (text) => void (err += text),
      cwd: process.cwd(),
      env: { ...process.env, TRELLIS_ENV: 'test', DATABASE_URL: database.url, REDIS_URL: '', AGENTS_DIR: dir },
    };
    const program = new Command('trellis').exitOverride();
    registerSyncCommands(program, openDataSource, () => io);
    const before = process.exitCode;
    // A file run before this one in the same worker (test bundles) may have left a status behind.
    process.exitCode = 0;
    try {
      await program.parseAsync(args, { from: 'user' });
      return { code: Number(process.exitCode ?? 0), out, err };
    } finally {
      process.exitCode = before;
    }
  }

  describe('trellis plan and trellis sync', () => {
    it('plans against the database (migrating it first) without changing it', async () => {
      const result = await trellis('plan');
      expect(result.code).toBe(0);
      expect(result.out).toContain('**1 to create**, 0 unchanged');
      expect(result.out).toContain('| `greeter` | create | v1 | `greeter.yaml` |');
      const dataSource = await connect(database.url);
      try {
        expect(await dataSource.query(`SELECT id FROM graphs`)).toEqual([]);
      } finally {
        await dataSource.destroy();
      }
    });

    it('syncs, and says what it did', async () => {
      const result = await trellis('sync', '--format', 'json');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out)).toMatchObject({ status: 'applied', summary: { create: 1 }, agents: [{ name: 'greeter', action: 'create' }] });
      expect(result.err).toContain('1 created, 0 updated');
      expect((await trellis('sync')).out).toContain('**no changes**, 1 unchanged');
    });

    it('takes the folder as an argument, and exits 1 when a file is invalid', async () => {
      const other = tempFolder('cli-other');
      try {
        writeFile(other, 'greeter.yaml', agentText('greeter', { template: 'Hi {{ who }}' }));
        writeFile(other, 'broken.yaml', 'name: broken\n');
        const plan = await trellis('plan', other, '--format', 'json');
        expect(plan.code).toBe(1);
        expect(JSON.parse(plan.out).agents.map((e: { name: string; action: string }) => [e.name, e.action])).toEqual([
          ['broken', 'invalid'],
          ['greeter', 'update'],
        ]);
        const sync = await trellis('sync', other);
        expect(sync.code).toBe(1);
        expect(sync.out).toContain('| `greeter` | update | v1 → v2 |');
      } finally {
        removeFolder(other);
      }
    });

    it('refuses an unknown format and a missing folder with exit status 2', async () => {
      const format = await trellis('plan', '--format', 'yaml');
      expect([format.code, format.err]).toEqual([2, '--format must be one of json, markdown, got "yaml"\n']);
      const missing = await trellis('sync', `${dir}/nope`);
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/The agents folder .*nope does not exist/);
    });
  });
});
