// POST /webhooks/github against a real app and Postgres, with payloads from @octokit/webhooks-examples
// signed the way GitHub signs them (@octokit/webhooks' sign): verification, ping, routing by event, action
// and repository, several triggers per delivery, redelivery dedupe, the body limit and the GitOps hook.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhooks } from '@octokit/webhooks';
import request from 'supertest';
import { GithubEventListeners, type GithubRepositoryEvent } from '../../src/triggers/github/github-events.js';
import type { TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { admin, createAgent, execution, finished, triggersApp } from './webhooks-helpers.js';

const SECRET = 'github-secret-0123456789';
const REPO = 'Codertocat/Hello-World';

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown>>;
}
const EXAMPLES = JSON.parse(readFileSync(join(process.cwd(), 'node_modules/@octokit/webhooks-examples/api.github.com/index.json'), 'utf8')) as ExampleGroup[];

function example(event: string, action?: string): Record<string, unknown> {
  const found = EXAMPLES.find((group) => group.name === event)?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no example of ${event}.${action}`);
  return found;
}

const signer = new Webhooks({ secret: SECRET });

async function deliver(t: TestApp, event: string, payload: Record<string, unknown>, options: { id?: string; secret?: Webhooks | null } = {}) {
  const body = JSON.stringify(payload);
  const req = request(t.http)
    .post('/webhooks/github')
    .set('Content-Type', 'application/json')
    .set('X-GitHub-Event', event)
    .set('X-GitHub-Delivery', options.id ?? randomUUID());
  const signing = options.secret === undefined ? signer : options.secret;
  if (signing) req.set('X-Hub-Signature-256', await signing.sign(body));
  return req.send(body);
}

function ids(res: { body: { execution_ids: string[] } }): string[] {
  return res.body.execution_ids;
}

function githubAgent(name: string, triggers: Record<string, { events: string[]; repository?: string }>): Record<string, unknown> {
  const nodes: Record<string, unknown> = { seen: { block: 'output', inputs: { name: 'seen' } } };
  const links: string[] = [];
  for (const [node, inputs] of Object.entries(triggers)) {
    nodes[node] = { block: 'trigger.github', inputs };
    links.push(`${node}.delivery_id -> seen.value`);
  }
  return { name, nodes, links };
}

describe('POST /webhooks/github', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('github', {
      env: { GITHUB_WEBHOOK_SECRET: SECRET },
      overrides: { webhooks: { github_body_limit: '64kb' }, gitops: { repository: `https://github.com/${REPO}.git`, sync_on_push: false, pr_comments: false } },
    });
    await createAgent(t, githubAgent('pr-any', { gh: { events: ['pull_request'] } }));
    await createAgent(t, githubAgent('pr-opened', { gh: { events: ['pull_request.opened', 'pull_request.reopened'] } }));
    await createAgent(t, githubAgent('pr-closed', { gh: { events: ['pull_request.closed'] } }));
    await createAgent(t, githubAgent('pr-this-repo', { gh: { events: ['pull_request'], repository: 'codertocat/hello-world' } }));
    await createAgent(t, githubAgent('pr-other-repo', { gh: { events: ['pull_request'], repository: 'someone/else' } }));
    await createAgent(t, githubAgent('two-triggers', { first: { events: ['pull_request.opened'] }, second: { events: ['pull_request', 'issues'] } }));
    await createAgent(t, githubAgent('issues-only', { gh: { events: ['issues'] } }));
    await createAgent(t, githubAgent('retired', { gh: { events: ['pull_request'] } }));
    await request(t.http)
      .delete('/api/graphs/retired')
      .set(admin)
      .expect((res) => expect(res.status).toBeLessThan(300));
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers ping with 200', async () => {
    const res = await deliver(t, 'ping', example('ping'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true });
  });

  it('answers 401 without a signature, and with a wrong one', async () => {
    const missing = await deliver(t, 'pull_request', example('pull_request', 'opened'), { secret: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toMatch(/X-Hub-Signature-256 is missing/);
    const wrong = await deliver(t, 'pull_request', example('pull_request', 'opened'), { secret: new Webhooks({ secret: 'not-it' }) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/does not match/);
    const count = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`)) as Array<{ n: number }>;
    expect(count[0]!.n).toBe(0);
  });

  it('starts one execution per matching active trigger, by event, action and repository', async () => {
    const payload = example('pull_request', 'opened');
    const deliveryId = randomUUID();
    const res = await deliver(t, 'pull_request', payload, { id: deliveryId });
    expect(res.status).toBe(202);
    const executionIds = ids(res);
    const rows = await Promise.all(executionIds.map((id) => execution(t, id)));
    expect(rows.map((r) => `${r.graph_id}.${r.trigger_node}`).sort()).toEqual([
      'pr-any.gh',
      'pr-opened.gh',
      'pr-this-repo.gh',
      'two-triggers.first',
      'two-triggers.second',
    ]);
    for (const row of rows) expect(row).toMatchObject({ source: 'github' });
    expect(rows[0]!.trigger_event).toEqual({
      event: 'pull_request',
      action: 'opened',
      payload,
      delivery_id: deliveryId,
      repository: REPO,
      sender: 'Codertocat',
    });
    const done = await Promise.all(executionIds.map((id) => finished(t, id)));
    expect(done.map((r) => r.status)).toEqual(executionIds.map(() => 'COMPLETED'));
    const results = await request(t.http).get(`/api/executions/${executionIds[0]}/results`).set(admin).expect(200);
    expect(results.body.outputs.seen).toEqual([deliveryId]);
  });

  it('filters by action: a closed pull request fires pr-closed and not pr-opened', async () => {
    const res = await deliver(t, 'pull_request', example('pull_request', 'closed'));
    const rows = await Promise.all(ids(res).map((id) => execution(t, id)));
    expect(rows.map((r) => `${r.graph_id}.${r.trigger_node}`).sort()).toEqual(['pr-any.gh', 'pr-closed.gh', 'pr-this-repo.gh', 'two-triggers.second']);
  });

  it('filters by repository: another repository fires only the unfiltered triggers', async () => {
    const payload = {
      ...example('pull_request', 'opened'),
      repository: { ...(example('pull_request', 'opened').repository as object), full_name: 'someone/else' },
    };
    const res = await deliver(t, 'pull_request', payload);
    const rows = await Promise.all(ids(res).map((id) => execution(t, id)));
    expect(rows.map((r) => `${r.graph_id}.${r.trigger_node}`).sort()).toEqual([
      'pr-any.gh',
      'pr-opened.gh',
      'pr-other-repo.gh',
      'two-triggers.first',
      'two-triggers.second',
    ]);
  });

  it('answers 202 with no executions when nothing matches', async () => {
    const res = await deliver(t, 'star', { action: 'created', repository: { full_name: REPO }, sender: { login: 'x' } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ execution_ids: [] });
  });

  it('answers a redelivery 200 with the first answer and creates nothing', async () => {
    const deliveryId = randomUUID();
    const first = await deliver(t, 'issues', example('issues'), { id: deliveryId });
    expect(first.status).toBe(202);
    expect(first.body.execution_ids).toHaveLength(2);
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`)) as Array<{ n: number }>;
    const again = await deliver(t, 'issues', example('issues'), { id: deliveryId });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => deliver(t, 'issues', example('issues'), { id: deliveryId })));
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const after = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions`)) as Array<{ n: number }>;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('creates exactly one set of executions for concurrent first deliveries of one id', async () => {
    const deliveryId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => deliver(t, 'issues', example('issues'), { id: deliveryId })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 202]);
    const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM executions WHERE trigger_event->>'delivery_id' = $1`, [deliveryId])) as Array<{
      n: number;
    }>;
    expect(rows[0]!.n).toBe(2);
  });

  it('answers 400 without X-GitHub-Delivery, and 413 past webhooks.github_body_limit', async () => {
    const body = JSON.stringify(example('issues'));
    const res = await request(t.http)
      .post('/webhooks/github')
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'issues')
      .set('X-Hub-Signature-256', await signer.sign(body))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/X-GitHub-Delivery/);
    const big = await deliver(t, 'issues', { ...example('issues'), padding: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
  });

  it('hands push and pull_request events of the agents repository to the GitOps listeners, once', async () => {
    const seen: GithubRepositoryEvent[] = [];
    const unsubscribe = t.app.get(GithubEventListeners).subscribe((event) => void seen.push(event));
    try {
      const deliveryId = randomUUID();
      await deliver(t, 'push', example('push'), { id: deliveryId });
      await waitFor(
        () => seen.length,
        (n) => n >= 1,
        { what: 'the push to reach the listener' },
      );
      expect(seen[0]).toMatchObject({ event: 'push', delivery_id: deliveryId, repository: REPO, action: null });
      await deliver(t, 'push', example('push'), { id: deliveryId });
      await deliver(t, 'issues', example('issues'));
      const other = { ...example('push'), repository: { full_name: 'someone/else' } };
      await deliver(t, 'push', other);
      const pr = await deliver(t, 'pull_request', example('pull_request', 'opened'));
      expect(pr.status).toBe(202);
      await waitFor(
        () => seen.length,
        (n) => n >= 2,
        { what: 'the pull request to reach the listener' },
      );
      expect(seen.map((e) => e.event)).toEqual(['push', 'pull_request']);
    } finally {
      unsubscribe();
    }
  });
});

describe('POST /webhooks/github without GITHUB_WEBHOOK_SECRET', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await triggersApp('github-off', { env: { GITHUB_WEBHOOK_SECRET: '' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 with what to configure', async () => {
    const res = await deliver(t, 'pull_request', example('pull_request', 'opened'));
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/set GITHUB_WEBHOOK_SECRET/);
  });
});
