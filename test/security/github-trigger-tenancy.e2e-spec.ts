// trigger.github hears every repository the server's webhook serves, so only agent files and API graphs made
// by an admin may hold one (release-2.md section 1 and 7): an ordinary user's API graph with one is a 400;
// a release-1 row of one is disabled at start-up with `disabled_reason` (logged once) and gets no events; a
// demoted admin's graph stops getting them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhooks } from '@octokit/webhooks';
import request from 'supertest';
import { TriggerPolicyOnStart } from '../../src/triggers/trigger-policy.startup.js';
import { TriggerCatalog } from '../../src/triggers/webhooks/trigger-catalog.js';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { seedApiGraph, seedUser, startOnSeededDatabase, type UpgradedApp } from './upgrade-app.js';

const SECRET = 'github-tenancy-secret-0123456789';
const admin = { 'X-API-Key': ADMIN_KEY };
const signer = new Webhooks({ secret: SECRET });
const PR_OPENED = { action: 'opened', number: 1, pull_request: { number: 1 }, repository: { full_name: 'someone/private-repo' }, sender: { login: 'someone' } };

function githubAgent(name: string): Record<string, unknown> {
  return {
    name,
    nodes: { gh: { block: 'trigger.github', inputs: { events: ['pull_request'] } }, seen: { block: 'output', inputs: { name: 'seen' } } },
    links: ['gh.delivery_id -> seen.value'],
  };
}

/** The same agent in stored (canonical) form, as release 1 wrote it. */
const storedGithubAgent = {
  nodes: {
    gh: { block: 'trigger.github', inputs: { events: ['pull_request'] }, credentials: {} },
    seen: { block: 'output', inputs: { name: 'seen' }, credentials: {} },
  },
  links: [{ from: { node: 'gh', pin: 'delivery_id', path: [] }, to: { node: 'seen', pin: 'value' }, static: false }],
};

describe('trigger.github tenancy', () => {
  let t: UpgradedApp;
  let bob: MadeUser;
  const api = () => request(t.http);

  const deliver = async () => {
    const body = JSON.stringify(PR_OPENED);
    const res = await api()
      .post('/webhooks/github')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'pull_request')
      .set('X-GitHub-Delivery', randomUUID())
      .set('X-Hub-Signature-256', await signer.sign(body))
      .send(body);
    expect(res.status).toBe(202);
    return res.body.execution_ids as string[];
  };
  const graphsOf = async (ids: string[]) =>
    ((await t.dataSource.query(`SELECT graph_id FROM executions WHERE id = ANY($1::uuid[]) ORDER BY graph_id`, [ids])) as Array<{ graph_id: string }>).map(
      (r) => r.graph_id,
    );
  const count = async (graph: string) =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = $1`, [graph])) as Array<{ n: number }>)[0]!.n;

  beforeAll(async () => {
    t = await startOnSeededDatabase(
      'ghtenancy',
      async (dataSource) => {
        await seedUser(dataSource, 'legacy-user', 'user');
        await seedUser(dataSource, 'legacy-admin', 'admin');
        await seedApiGraph(dataSource, 'user-legacy-gh', 'legacy-user', storedGithubAgent, [
          { node: 'gh', block: 'trigger.github', config: { events: ['pull_request'] } },
        ]);
        await seedApiGraph(dataSource, 'admin-legacy-gh', 'legacy-admin', storedGithubAgent, [
          { node: 'gh', block: 'trigger.github', config: { events: ['pull_request'] } },
        ]);
      },
      { env: { GITHUB_WEBHOOK_SECRET: SECRET } },
    );
    bob = await makeUser(t, 'bob');
  });
  afterAll(() => t?.close());

  it("answers 400 to an ordinary user's API graph with trigger.github, on create and on update, saying why", async () => {
    const created = await api().post('/api/graphs').set('X-API-Key', bob.key).send(githubAgent('bob-gh'));
    expect(created.status).toBe(400);
    expect(created.body.error.details.problems).toEqual([
      expect.objectContaining({
        pointer: '/nodes/gh/block',
        message: expect.stringContaining('only agent files and API graphs created by an admin may use it'),
      }),
    ]);
    await api()
      .post('/api/graphs')
      .set('X-API-Key', bob.key)
      .send({
        name: 'bob-plain',
        nodes: { who: { block: 'input', inputs: { name: 'who' } }, seen: { block: 'output', inputs: { name: 'seen' } } },
        links: ['who.value -> seen.value'],
      })
      .expect(201);
    const updated = await api().put('/api/graphs/bob-plain').set('X-API-Key', bob.key).send(githubAgent('bob-plain'));
    expect(updated.status).toBe(400);
    expect(updated.body.error.details.problems[0].pointer).toBe('/nodes/gh/block');
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM graph_triggers WHERE block = 'trigger.github' AND graph_id LIKE 'bob-%'`))[0].n).toBe(0);
  });

  it("disabled a release-1 trigger.github of a user's API graph at start-up, with disabled_reason shown and logged once", async () => {
    const rows = (await t.dataSource.query(`SELECT graph_id, disabled_reason FROM graph_triggers WHERE block = 'trigger.github' ORDER BY graph_id`)) as Array<{
      graph_id: string;
      disabled_reason: string | null;
    }>;
    expect(rows).toEqual([
      { graph_id: 'admin-legacy-gh', disabled_reason: null },
      { graph_id: 'user-legacy-gh', disabled_reason: expect.stringContaining('created by an admin') },
    ]);
    const view = await api().get('/api/graphs/user-legacy-gh').set(admin).expect(200);
    expect(view.body.triggers).toEqual([{ node: 'gh', block: 'trigger.github', events: ['pull_request'], disabled_reason: rows[1]!.disabled_reason }]);
    expect((await api().get('/api/graphs/admin-legacy-gh').set(admin).expect(200)).body.triggers[0]).not.toHaveProperty('disabled_reason');
    const logged = t.logs().filter((line) => String(line.msg).includes('trigger.github'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ triggers: ['user-legacy-gh/gh'] });
    // Every replica runs the step at start: a second run changes and logs nothing.
    await t.app.get(TriggerPolicyOnStart).onModuleInit();
    expect(t.logs().filter((line) => String(line.msg).includes('trigger.github'))).toHaveLength(1);
  });

  it("routes a signed delivery to admins' graphs and never to the disabled one", async () => {
    await api().post('/api/graphs').set(admin).send(githubAgent('admin-gh')).expect(201);
    const ids = await deliver();
    expect(await graphsOf(ids)).toEqual(['admin-gh', 'admin-legacy-gh']);
    expect(await count('user-legacy-gh')).toBe(0);
  });

  it('stops routing to an API graph whose creator is no longer an admin', async () => {
    const carol = await makeUser(t, 'carol', { role: 'admin' });
    await api().post('/api/graphs').set('X-API-Key', carol.key).send(githubAgent('carol-gh')).expect(201);
    expect(await graphsOf(await deliver())).toContain('carol-gh');
    await t.dataSource.query(`UPDATE users SET role = 'user' WHERE id = $1`, [carol.user.id]);
    t.app.get(TriggerCatalog).invalidate();
    const before = await count('carol-gh');
    expect(await graphsOf(await deliver())).toEqual(['admin-gh', 'admin-legacy-gh']);
    expect(await count('carol-gh')).toBe(before);
  });
});
