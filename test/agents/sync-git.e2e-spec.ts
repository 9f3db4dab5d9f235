// Sync of an agents folder inside a Git checkout: the commit is recorded with each version, and a
// checkout behind the last synced commit does not sync (no flip-back during a rolling deploy).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { commitAncestry, gitCommit } from '../../src/agents/agents-sync.git.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { agentText, git, graphState, removeFolder, servicesFor, tempFolder, versionsOf, writeFile } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('sync from a Git checkout', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let repo: string;

  beforeAll(async () => {
    database = await createTestDatabase('syncgit');
    dataSource = await connect(database.url);
    await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin-id', 'admin', 'admin')`);
    repo = tempFolder('repo');
    git(repo, 'init', '--quiet', '--initial-branch=main');
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
    removeFolder(repo);
  });

  function commit(message: string): string {
    git(repo, 'add', '--all');
    git(repo, 'commit', '--quiet', '-m', message);
    return git(repo, 'rev-parse', 'HEAD');
  }

  describe('sync in a Git checkout', () => {
    it('answers null for a folder outside any checkout, and the commit inside one', async () => {
      const plain = tempFolder('plain');
      try {
        expect(await gitCommit(plain)).toBeNull();
        writeFile(repo, 'README.md', 'agents\n');
        const first = commit('first');
        expect(await gitCommit(repo)).toBe(first);
      } finally {
        removeFolder(plain);
      }
    });

    it('records the commit on each version and as the last synced commit', async () => {
      writeFile(repo, 'agents/greeter.yaml', agentText('greeter'));
      const first = commit('add greeter');
      // The agents folder is a sub-folder of the repository: its commit is the checkout's.
      const services = servicesFor(dataSource, `${repo}/agents`);
      const result = await services.syncs.sync();
      expect(result).toMatchObject({ status: 'applied', commit: first });
      expect((await versionsOf(dataSource, 'greeter'))[0]).toMatchObject({ version: 1, commit: first, file: 'greeter.yaml' });
      const [state] = await dataSource.query(`SELECT "commit" FROM agent_sync_state WHERE scope = 'default'`);
      expect(state.commit).toBe(first);

      writeFile(repo, 'agents/greeter.yaml', agentText('greeter', { template: 'Hi {{ who }}' }));
      const second = commit('change greeter');
      await services.syncs.sync();
      expect((await versionsOf(dataSource, 'greeter')).map((v) => [v.version, v.commit])).toEqual([
        [1, first],
        [2, second],
      ]);
    });

    it('refuses to sync a checkout at an ancestor of the last synced commit, and says so', async () => {
      const head = git(repo, 'rev-parse', 'HEAD');
      const older = git(repo, 'rev-parse', 'HEAD~1');
      expect(await commitAncestry(repo, older, head)).toBe('ancestor');
      expect(await commitAncestry(repo, head, older)).toBe('not-ancestor');
      expect(await commitAncestry(repo, 'f'.repeat(40), head)).toBe('unknown');

      git(repo, 'checkout', '--quiet', older);
      try {
        const services = servicesFor(dataSource, `${repo}/agents`);
        const result = await services.syncs.sync();
        expect(result.status).toBe('skipped');
        expect(result.reason).toMatch(new RegExp(`at commit ${older.slice(0, 12)}, an ancestor of ${head.slice(0, 12)}, the last synced commit`));
        // It still shows what it would have done, and did nothing of it.
        expect(result.agents[0]).toMatchObject({ name: 'greeter', action: 'update', version: 3 });
        expect(await graphState(dataSource, 'greeter')).toMatchObject({ active_version: 2, latest_version: 2 });
        const plan = await services.plans.plan();
        expect(plan.blocked).toBe(result.reason);
        const [state] = await dataSource.query(`SELECT "commit" FROM agent_sync_state WHERE scope = 'default'`);
        expect(state.commit).toBe(head);
        // The history records the skipped sync with its reason; each file's last result stays that of the last applied one.
        const history = await services.syncs.syncHistory(2);
        expect(history.last).toMatchObject({ status: 'skipped', reason: result.reason, commit: older, trigger: 'cli', summary: { update: 1 } });
        expect(history.runs.map((run) => [run.status, run.commit])).toEqual([
          ['skipped', older],
          ['applied', head],
        ]);
        expect(history.files).toEqual([expect.objectContaining({ file: 'greeter.yaml', agent: 'greeter', action: 'update', commit: head })]);
      } finally {
        git(repo, 'checkout', '--quiet', 'main');
      }
    });

    it('syncs a newer commit, and a commit on another line of history', async () => {
      const services = servicesFor(dataSource, `${repo}/agents`);
      writeFile(repo, 'agents/other.yaml', agentText('other'));
      const newer = commit('add other');
      expect(await services.syncs.sync()).toMatchObject({ status: 'applied', commit: newer, summary: { create: 1 } });

      git(repo, 'checkout', '--quiet', '-b', 'side', 'HEAD~2');
      try {
        writeFile(repo, 'agents/side.yaml', agentText('side'));
        const side = commit('side line');
        const result = await services.syncs.sync();
        expect(result).toMatchObject({ status: 'applied', commit: side });
        expect(result.agents.find((e) => e.name === 'side')).toMatchObject({ action: 'create' });
      } finally {
        git(repo, 'checkout', '--quiet', 'main');
      }
    });
  });
});
