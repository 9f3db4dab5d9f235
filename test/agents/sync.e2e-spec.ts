// Sync against a real Postgres: each case of agent-format.md "Sync", one database for the file.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { AgentsServices } from '../../src/agents/agents-sync.command.js';
import { GraphsRepository } from '../../src/graphs/graphs.repository.js';
import { connect, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { agentText, countRows, graphState, insertUser, lines, removeFile, removeFolder, servicesFor, tempFolder, versionsOf, writeFile } from './sync-helpers.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('agents sync', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let dir: string;
  let services: AgentsServices;

  beforeAll(async () => {
    database = await createTestDatabase('sync');
    dataSource = await connect(database.url);
    await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ('admin-id', 'admin', 'admin')`);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE graphs, agent_sync_state, credentials CASCADE`);
    await dataSource.query(`DELETE FROM users WHERE handle <> 'admin'`);
    dir = tempFolder('sync');
    services = servicesFor(dataSource, dir);
  });

  afterEach(() => removeFolder(dir));

  const sync = () => services.syncs.sync({ trigger: 'cli' });
  const actionOf = (result: Awaited<ReturnType<typeof sync>>, name: string) => result.agents.find((e) => e.name === name)?.action;

  describe('sync', () => {
    it('creates version 1 of a new file, recording its path, hash and trigger nodes', async () => {
      writeFile(dir, 'team/greeter.yaml', agentText('greeter', { description: 'Says hello.', webhook: true }));
      const result = await sync();
      expect(result).toMatchObject({ status: 'applied', reason: null, commit: null, summary: { create: 1, update: 0, unchanged: 0, remove: 0, invalid: 0, pinned: 0 } });
      expect(result.agents).toEqual([expect.objectContaining({ name: 'greeter', action: 'create', file: 'team/greeter.yaml', version: 1, active_version: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
      expect(await graphState(dataSource, 'greeter')).toEqual({ id: 'greeter', source: 'file', active: true, active_version: 1, latest_version: 1, pinned_version: null, file: 'team/greeter.yaml', owner_id: null });
      const [version] = await versionsOf(dataSource, 'greeter');
      expect(version).toEqual({ version: 1, hash: result.agents[0]!.hash, file: 'team/greeter.yaml', commit: null, template: 'Hello, {{ who }}!' });
      const triggers = await new GraphsRepository(dataSource).activeTriggers();
      expect(triggers).toEqual([{ graph_id: 'greeter', version: 1, node_id: 'hook', block: 'trigger.webhook', config: { methods: ['POST'] }, credentials: {}, owner_id: null, source: 'file' }]);
      const [state] = await dataSource.query(`SELECT scope, "commit", synced_by, summary FROM agent_sync_state`);
      expect(state).toMatchObject({ scope: 'default', commit: null, synced_by: expect.stringContaining('(cli)'), summary: expect.objectContaining({ created: ['greeter'] }) });
    });

    it('records a changed file as version N+1 and makes it active, with its own trigger rows', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter', { webhook: true }));
      await sync();
      writeFile(dir, 'greeter.yaml', agentText('greeter', { template: 'Hi, {{ who }}!', webhook: true }));
      const result = await sync();
      expect(result.agents[0]).toMatchObject({ action: 'update', version: 2, previous_version: 1, active_version: 2 });
      expect(result.agents[0]!.changes!.nodes.changed).toEqual([{ node: 'greet', block: 'text.template', changes: ['inputs.template: "Hello, {{ who }}!" → "Hi, {{ who }}!"'] }]);
      expect((await versionsOf(dataSource, 'greeter')).map((v) => [v.version, v.template])).toEqual([
        [1, 'Hello, {{ who }}!'],
        [2, 'Hi, {{ who }}!'],
      ]);
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ active_version: 2, latest_version: 2 });
      expect((await new GraphsRepository(dataSource).activeTriggers('trigger.webhook')).map((t) => [t.graph_id, t.version])).toEqual([['greeter', 2]]);
      expect(await countRows(dataSource, 'graph_triggers')).toBe(2);
    });

    it('does nothing for an unchanged folder, nor for changes of comments, key order or link form', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      const unchanged = await sync();
      expect(unchanged.summary).toMatchObject({ unchanged: 1, create: 0, update: 0 });
      const reworded = lines(
        '# The same agent, written another way.',
        'links:',
        '  - { from: greet.text, to: greeting.value }   # the result',
        '  - who.value -> greet.values.who',
        'nodes:',
        '  greeting: { block: output, inputs: { name: "greeting" } }',
        '  greet: { inputs: { template: "Hello, {{ who }}!" }, block: text.template }',
        '  who:',
        '    inputs: { default: world, type: string, name: who }',
        '    block: input',
        'name: greeter',
      );
      writeFile(dir, 'greeter.yaml', reworded);
      const result = await sync();
      expect(result.agents).toEqual([expect.objectContaining({ name: 'greeter', action: 'unchanged', version: 1 })]);
      expect(await countRows(dataSource, 'graph_versions')).toBe(1);
    });

    it('deactivates the graph of a removed file (triggers stop, history stays), and reactivates it when the file is back', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter', { webhook: true }));
      writeFile(dir, 'other.yaml', agentText('other'));
      await sync();
      removeFile(dir, 'greeter.yaml');
      const told: unknown[] = [];
      services.activations.subscribe((changes) => void told.push(...changes));
      const result = await sync();
      expect(told).toEqual([{ graph_id: 'greeter', active: false, active_version: null }]);
      expect(result.agents.map((e) => [e.name, e.action])).toEqual([
        ['greeter', 'remove'],
        ['other', 'unchanged'],
      ]);
      const [row] = await dataSource.query(`SELECT active, deactivated_at FROM graphs WHERE id = 'greeter'`);
      expect(row).toEqual({ active: false, deactivated_at: expect.any(Date) });
      expect(await new GraphsRepository(dataSource).activeTriggers()).toEqual([]);
      expect(await versionsOf(dataSource, 'greeter')).toHaveLength(1);
      expect((await sync()).agents.map((e) => e.action)).toEqual(['unchanged']);

      writeFile(dir, 'greeter.yaml', agentText('greeter', { webhook: true }));
      const back = await sync();
      expect(told).toEqual([
        { graph_id: 'greeter', active: false, active_version: null },
        { graph_id: 'greeter', active: true, active_version: 1 },
      ]);
      expect(back.agents.find((e) => e.name === 'greeter')).toMatchObject({ action: 'update', version: 1, active_version: 1, notes: ['reactivated: its file is back'] });
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ active: true, latest_version: 1 });
      expect(await new GraphsRepository(dataSource).activeTriggers()).toHaveLength(1);
    });

    it('reports an invalid file and skips it: the last good version stays active', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      writeFile(dir, 'greeter.yaml', agentText('greeter').replace('block: text.template', 'block: text.templat'));
      const result = await sync();
      expect(result.status).toBe('applied');
      const entry = result.agents[0]!;
      expect(entry).toMatchObject({ name: 'greeter', action: 'invalid', file: 'greeter.yaml', active_version: 1, notes: ['skipped: version 1 stays active'] });
      expect(entry.problems).toEqual([expect.objectContaining({ line: 7, column: 12, severity: 'error', message: expect.stringContaining('unknown block "text.templat"') })]);
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ active: true, active_version: 1, latest_version: 1 });
      expect(await countRows(dataSource, 'graph_versions')).toBe(1);
    });

    it('skips a file that does not parse, without removing its graph', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      writeFile(dir, 'greeter.yaml', 'name: greeter\nnodes: [unclosed\n');
      const result = await sync();
      expect(result.agents).toEqual([expect.objectContaining({ name: 'greeter', action: 'invalid', active_version: 1 })]);
      expect(result.agents[0]!.problems[0]!.message).toMatch(/^YAML syntax/);
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ active: true });
    });

    it('never touches a graph created through the API, and refuses a file that takes its name', async () => {
      const graphs = new GraphsRepository(dataSource);
      const admin = 'admin-id';
      await graphs.transaction(async (manager) => {
        await graphs.insertGraph(manager, { id: 'api-made', description: null, source: 'api', owner_id: admin, created_by: admin, active_version: 1, latest_version: 1, file: null });
        await graphs.insertVersions(manager, [{ graph_id: 'api-made', version: 1, definition: { name: 'api-made', nodes: {}, links: [] }, hash: 'h1', file: null, commit: null, created_by: admin }]);
      });
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      expect(await graphState(dataSource, 'api-made')).toMatchObject({ source: 'api', active: true, latest_version: 1 });

      writeFile(dir, 'api-made.yaml', agentText('api-made'));
      const result = await sync();
      const entry = result.agents.find((e) => e.name === 'api-made')!;
      expect(entry.action).toBe('invalid');
      expect(entry.problems).toEqual([expect.objectContaining({ pointer: '/name', line: 1, column: 7, message: expect.stringContaining('belongs to a graph created through the API') })]);
      expect(await graphState(dataSource, 'api-made')).toMatchObject({ source: 'api', latest_version: 1, file: null });
    });

    it('records new versions of a pinned graph without activating them', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      writeFile(dir, 'greeter.yaml', agentText('greeter', { template: 'v2 {{ who }}' }));
      await sync();
      await new GraphsRepository(dataSource).setVersions('greeter', { active_version: 1, pinned_version: 1 });
      writeFile(dir, 'greeter.yaml', agentText('greeter', { template: 'v3 {{ who }}' }));
      const result = await sync();
      expect(result.agents[0]).toMatchObject({ action: 'pinned', version: 3, previous_version: 2, active_version: 1, pinned_version: 1 });
      expect(result.agents[0]!.notes[0]).toMatch(/^pinned to version 1: version 3 is recorded but not activated/);
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ active_version: 1, latest_version: 3, pinned_version: 1 });
      expect((await sync()).agents[0]).toMatchObject({ action: 'unchanged', version: 3, active_version: 1 });
    });

    it('never creates duplicate versions when two processes sync at once', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      for (let i = 0; i < 20; i++) writeFile(dir, `agent-${i}.yaml`, agentText(`agent-${i}`));
      const second = await connect(database.url);
      try {
        const other = servicesFor(second, dir);
        const [a, b] = await Promise.all([services.syncs.sync(), other.syncs.sync()]);
        expect([a.summary.create, b.summary.create].sort()).toEqual([0, 21]);
        expect([a.summary.unchanged, b.summary.unchanged].sort()).toEqual([0, 21]);
        writeFile(dir, 'greeter.yaml', agentText('greeter', { template: 'again {{ who }}' }));
        const [c, d] = await Promise.all([services.syncs.sync(), other.syncs.sync()]);
        expect([actionOf(c, 'greeter'), actionOf(d, 'greeter')].sort()).toEqual(['unchanged', 'update']);
      } finally {
        await second.destroy();
      }
      const [duplicates] = await dataSource.query(`SELECT count(*)::int AS n FROM (SELECT definition->>'name', hash FROM graph_versions GROUP BY 1, 2 HAVING count(*) > 1) d`);
      expect(duplicates.n).toBe(0);
      expect(await countRows(dataSource, 'graph_versions')).toBe(22);
    });

    it("checks owners against the users table and records the owner's id", async () => {
      const opsId = await insertUser(dataSource, 'ops');
      writeFile(dir, 'owned.yaml', agentText('owned', { owner: 'ops' }));
      writeFile(dir, 'ghost.yaml', agentText('ghost', { owner: 'nobody' }));
      const result = await sync();
      expect(actionOf(result, 'owned')).toBe('create');
      expect((await graphState(dataSource, 'owned'))!.owner_id).toBe(opsId);
      const ghost = result.agents.find((e) => e.name === 'ghost')!;
      expect(ghost).toMatchObject({ action: 'invalid', notes: ['skipped: nothing is created until the file is valid'] });
      expect(ghost.problems).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('owner "nobody" is not a user') })]);
      expect(await graphState(dataSource, 'ghost')).toBeUndefined();
    });

    it('checks credential names against config and the owner\'s credentials', async () => {
      const slack = ['  post:', '    block: slack.post', '    credentials: { webhook: team-slack }'];
      writeFile(dir, 'poster.yaml', agentText('poster', { nodes: slack, links: ['  - greet.text -> post.text'] }));
      const missing = await sync();
      expect(missing.agents[0]).toMatchObject({ action: 'invalid' });
      expect(missing.agents[0]!.problems.map((p) => p.message)).toEqual([expect.stringContaining('no credential named "team-slack" exists')]);

      await dataSource.query(`INSERT INTO credentials (user_id, name, provider, type, ciphertext, key_id) VALUES ('admin-id', 'team-slack', 'slack', 'secret_url', 'x', 'k')`);
      expect((await sync()).agents[0]).toMatchObject({ action: 'create' });
    });

    it('checks names and sub-agent cycles across all files and API graphs', async () => {
      const calls = (target: string) => ({ nodes: ['  child:', '    block: agent.run', `    inputs: { agent: ${target} }`] });
      writeFile(dir, 'a/twin.yaml', agentText('twin'));
      writeFile(dir, 'b/twin.yaml', agentText('twin'));
      writeFile(dir, 'ping.yaml', agentText('ping', calls('pong')));
      writeFile(dir, 'pong.yaml', agentText('pong', calls('ping')));
      const result = await sync();
      const twins = result.agents.filter((e) => e.name === 'twin');
      expect(twins.map((e) => [e.file, e.action])).toEqual([
        ['a/twin.yaml', 'create'],
        ['b/twin.yaml', 'invalid'],
      ]);
      expect(twins[1]!.problems[0]!.message).toMatch(/another agent is also named "twin" \(.*a\/twin\.yaml\)/);
      for (const name of ['ping', 'pong']) {
        const entry = result.agents.find((e) => e.name === name)!;
        expect(entry.action).toBe('invalid');
        expect(entry.problems.map((p) => p.message)).toContainEqual(expect.stringContaining('sub-agent calls form a cycle'));
      }

      // A cycle closed by a graph made through the API.
      removeFile(dir, 'pong.yaml');
      const graphs = new GraphsRepository(dataSource);
      await graphs.transaction(async (manager) => {
        await graphs.insertGraph(manager, { id: 'pong', description: null, source: 'api', owner_id: null, created_by: null, active_version: 1, latest_version: 1, file: null });
        const definition = { name: 'pong', nodes: { child: { block: 'agent.run', inputs: { agent: 'ping' }, credentials: {} } }, links: [] };
        await graphs.insertVersions(manager, [{ graph_id: 'pong', version: 1, definition, hash: 'h', file: null, commit: null, created_by: null }]);
      });
      const again = await sync();
      expect(again.agents.find((e) => e.name === 'ping')!.problems.map((p) => p.message)).toContainEqual(expect.stringContaining('ping -> pong -> ping'));
    });

    it('updates the file path of a moved file without a new version', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      removeFile(dir, 'greeter.yaml');
      writeFile(dir, 'moved/here/greeter.yaml', agentText('greeter'));
      const result = await sync();
      expect(result.agents).toEqual([expect.objectContaining({ action: 'unchanged', file: 'moved/here/greeter.yaml', notes: ['file moved from greeter.yaml'] })]);
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ file: 'moved/here/greeter.yaml', latest_version: 1, active: true });
    });

    it('refuses a missing folder and changes nothing (a wrong AGENTS_DIR must not remove every agent)', async () => {
      writeFile(dir, 'greeter.yaml', agentText('greeter'));
      await sync();
      const gone = servicesFor(dataSource, `${dir}-missing`);
      await expect(gone.syncs.sync()).rejects.toMatchObject({ code: 'AGENTS_FOLDER_MISSING', status: 409, message: expect.stringContaining('does not exist') });
      expect(await graphState(dataSource, 'greeter')).toMatchObject({ active: true });
    });
  });
});
