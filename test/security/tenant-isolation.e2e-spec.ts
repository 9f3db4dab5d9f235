// Tenant isolation of agent.run (release-2.md section 1): an execution may start file agents and the API
// graphs its user owns (admins: any). Another user's API graph is "no agent named X" at creation (the same
// message as a name that does not exist, with no suggestion naming it) and at run time (no child started),
// however the calling graph came to name it: a file agent, a graph stored before the rule, a demoted admin.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_KEY, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { agentText, removeFolder, tempFolder, writeFile } from '../agents/sync-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const admin = { 'X-API-Key': ADMIN_KEY };

/** alice's graph: its constant must never reach another user. */
const SECRET = 'ALICE-CONSTANT-7f3a';

function secretAgent(name: string): Record<string, unknown> {
  return {
    name,
    nodes: {
      token: { block: 'input', inputs: { name: 'token', type: 'string', default: 'x' } },
      mix: { block: 'text.template', inputs: { template: `${SECRET} {{ token }}` } },
      leak: { block: 'output', inputs: { name: 'leak' } },
    },
    links: ['token.value -> mix.values.token', 'mix.text -> leak.value'],
  };
}

/** A graph whose only work is agent.run of `target` (its outputs passed on). */
function callerAgent(name: string, target: string, inputs: Record<string, unknown> = { token: 'hi' }): Record<string, unknown> {
  return {
    name,
    nodes: {
      run: { block: 'agent.run', inputs: { agent: target, inputs } },
      out: { block: 'output', inputs: { name: 'out' } },
    },
    links: ['run.outputs -> out.value'],
  };
}

/** The same graph written as release 1 stored it: straight into the tables, never validated by this release. */
async function storeApiGraph(t: TestApp, definition: Record<string, unknown>, createdBy: string): Promise<void> {
  const full = {
    ...definition,
    nodes: Object.fromEntries(Object.entries(definition.nodes as Record<string, Record<string, unknown>>).map(([id, n]) => [id, { credentials: {}, ...n }])),
  };
  const links = [{ from: { node: 'run', pin: 'outputs', path: [] }, to: { node: 'out', pin: 'value' }, static: false }];
  await t.dataSource.query(
    `INSERT INTO graphs (id, source, owner_id, created_by, active, active_version, latest_version) VALUES ($1, 'api', $2, $2, true, 1, 1)`,
    [definition.name, createdBy],
  );
  await t.dataSource.query(`INSERT INTO graph_versions (graph_id, version, definition, hash, created_by) VALUES ($1, 1, $2, $3, $4)`, [
    definition.name,
    JSON.stringify({ ...full, links }),
    `hash-${String(definition.name)}`,
    createdBy,
  ]);
}

describe('tenant isolation of agent.run', () => {
  let t: TestApp;
  let dir: string;
  let alice: MadeUser;
  let bob: MadeUser;
  let carol: MadeUser;
  const api = () => request(t.http);

  const count = async (graph: string, userId?: string): Promise<number> => {
    const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE graph_id = $1 AND ($2::text IS NULL OR user_id = $2)`, [
      graph,
      userId ?? null,
    ])) as Array<{ n: number }>;
    return rows[0]!.n;
  };
  const run = (key: string, graph: string) => api().post(`/api/graphs/${graph}/execute?wait=10s`).set('X-API-Key', key).send({ inputs: {} });

  beforeAll(async () => {
    dir = tempFolder('tenancy');
    writeFile(dir, 'shared-tool.yaml', agentText('shared-tool'));
    t = await createTestApp({ label: 'tenancy', env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, AGENTS_DIR: dir } });
    alice = await makeUser(t, 'alice');
    bob = await makeUser(t, 'bob');
    carol = await makeUser(t, 'carol', { role: 'admin' });
    await api().post('/api/graphs').set('X-API-Key', alice.key).send(secretAgent('alice-secret')).expect(201);
    // A file agent (reviewed by pull request) may name any agent; who runs it decides what its child may be.
    writeFile(
      dir,
      'relay.yaml',
      agentText('relay', { nodes: ['  run:', '    block: agent.run', '    inputs: { agent: alice-secret, inputs: { token: relayed } }'] }),
    );
    await api().post('/api/agents/sync').set(admin).expect(200);
  });

  afterAll(async () => {
    await t?.close();
    if (dir) removeFolder(dir);
  });

  it("refuses another user's API graph at creation exactly as a name that does not exist", async () => {
    const theirs = await api().post('/api/graphs').set('X-API-Key', bob.key).send(callerAgent('bob-caller', 'alice-secret'));
    const none = await api().post('/api/graphs').set('X-API-Key', bob.key).send(callerAgent('bob-caller', 'nobody-here'));
    expect(theirs.status).toBe(400);
    expect(none.status).toBe(400);
    const problem = (res: typeof theirs, name: string) =>
      JSON.stringify(res.body.error.details.problems.filter((p: { pointer: string }) => p.pointer === '/nodes/run/inputs/agent')).replaceAll(name, 'NAME');
    expect(theirs.body.error.details.problems.find((p: { pointer: string }) => p.pointer === '/nodes/run/inputs/agent').message).toContain(
      'no agent named "alice-secret"',
    );
    expect(problem(theirs, 'alice-secret')).toBe(problem(none, 'nobody-here'));
    // Nothing of alice's graph shows: neither its input names nor its outputs.
    expect(JSON.stringify(theirs.body)).not.toContain('token');
    expect(JSON.stringify(theirs.body)).not.toContain('leak');
    expect((await api().get('/api/graphs/bob-caller').set('X-API-Key', bob.key)).status).toBe(404);
  });

  it("names none of another user's graphs in suggestions, on POST /api/graphs and POST /api/agents/validate", async () => {
    const typo = await api().post('/api/graphs').set('X-API-Key', bob.key).send(callerAgent('bob-typo', 'alice-secre'));
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body)).not.toContain('alice-secret');
    const file = agentText('bob-file', { nodes: ['  run:', '    block: agent.run', '    inputs: { agent: alice-secre }'] });
    const validated = await api().post('/api/agents/validate').set('X-API-Key', bob.key).set('Content-Type', 'text/plain').send(file);
    expect(validated.status).toBe(200);
    expect(validated.body.ok).toBe(false);
    expect(validated.body.problems.map((p: { message: string }) => p.message).join('\n')).toContain('no agent named "alice-secre"');
    expect(JSON.stringify(validated.body)).not.toContain('alice-secret');
    // An admin sees every graph, so the suggestion is made to them.
    const asAdmin = await api().post('/api/agents/validate').set(admin).set('Content-Type', 'text/plain').send(file);
    expect(JSON.stringify(asAdmin.body)).toContain('alice-secret');
  });

  it('lets anyone create and run a graph that calls a file agent', async () => {
    await api()
      .post('/api/graphs')
      .set('X-API-Key', bob.key)
      .send(callerAgent('bob-tool-user', 'shared-tool', { who: 'Bob' }))
      .expect(201);
    const res = await run(bob.key, 'bob-tool-user');
    expect(res.body).toMatchObject({ status: 'COMPLETED', outputs: { out: [{ greeting: ['Hello, Bob!'] }] } });
  });

  it("lets an admin create and run a graph that calls any user's API graph", async () => {
    await api().post('/api/graphs').set(admin).send(callerAgent('admin-caller', 'alice-secret')).expect(201);
    const res = await run(ADMIN_KEY, 'admin-caller');
    expect(res.body).toMatchObject({ status: 'COMPLETED', outputs: { out: [{ leak: [`${SECRET} hi`] }] } });
  });

  it("fails a file agent's call of alice's graph when bob runs it, without starting alice's graph; alice and admins may", async () => {
    const before = await count('alice-secret');
    const refused = await run(bob.key, 'relay');
    expect(refused.body.status).toBe('FAILED');
    expect(refused.body.error.message).toContain('no agent named "alice-secret"');
    expect(JSON.stringify(refused.body)).not.toContain(SECRET);
    expect(await count('alice-secret', bob.user.id)).toBe(0);
    expect(await count('alice-secret')).toBe(before);
    const nodes = await api()
      .get(`/api/executions/${refused.body.execution_id as string}/nodes`)
      .set('X-API-Key', bob.key)
      .expect(200);
    expect(JSON.stringify(nodes.body)).not.toContain(SECRET);

    expect((await run(alice.key, 'relay')).body).toMatchObject({ status: 'COMPLETED' });
    expect((await run(ADMIN_KEY, 'relay')).body).toMatchObject({ status: 'COMPLETED' });
    expect(await count('alice-secret')).toBe(before + 2);
  });

  it('fails at run time a graph stored before the rule, with the message of a name that does not exist', async () => {
    await storeApiGraph(t, callerAgent('bob-legacy', 'alice-secret'), bob.user.id);
    await storeApiGraph(t, callerAgent('bob-ghost', 'ghost-agent'), bob.user.id);
    const theirs = await run(bob.key, 'bob-legacy');
    const ghost = await run(bob.key, 'bob-ghost');
    expect(theirs.body.status).toBe('FAILED');
    expect(ghost.body.status).toBe('FAILED');
    expect(JSON.stringify(theirs.body.error).replaceAll('alice-secret', 'NAME')).toBe(JSON.stringify(ghost.body.error).replaceAll('ghost-agent', 'NAME'));
    expect(await count('alice-secret', bob.user.id)).toBe(0);
  });

  it("checks the role at run time: a demoted admin's graph no longer starts another user's graph", async () => {
    await api().post('/api/graphs').set('X-API-Key', carol.key).send(callerAgent('carol-caller', 'alice-secret')).expect(201);
    expect((await run(carol.key, 'carol-caller')).body).toMatchObject({ status: 'COMPLETED' });
    await t.dataSource.query(`UPDATE users SET role = 'user' WHERE id = $1`, [carol.user.id]);
    const before = await count('alice-secret', carol.user.id);
    const refused = await run(carol.key, 'carol-caller');
    expect(refused.body.status).toBe('FAILED');
    expect(refused.body.error.message).toContain('no agent named "alice-secret"');
    expect(await count('alice-secret', carol.user.id)).toBe(before);
  });
});
