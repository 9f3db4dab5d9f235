// Helpers of the graphs API tests: an app over an agents folder of its own, users, and agent bodies.
import request from 'supertest';
import { ADMIN_KEY, makeKey, makeUser, type MadeUser } from '../auth/auth-helpers.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { agentText, removeFolder, tempFolder, writeFile } from '../agents/sync-helpers.js';

export interface GraphsWorld {
  t: TestApp;
  dir: string;
  alice: MadeUser;
  bob: MadeUser;
  /** A key of alice's with graphs:read only. */
  aliceReadOnly: string;
  close(): Promise<void>;
}

export const admin = { 'X-API-Key': ADMIN_KEY };

/** An app whose agents folder holds `file-agent` (synced), with users alice and bob. */
export async function graphsWorld(label: string): Promise<GraphsWorld> {
  const dir = tempFolder(label);
  writeFile(dir, 'team/file-agent.yaml', agentText('file-agent', { webhook: true }));
  const t = await createTestApp({ label, env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, AGENTS_DIR: dir } });
  await request(t.http).post('/api/agents/sync').set(admin).expect(200);
  const alice = await makeUser(t, 'alice');
  const bob = await makeUser(t, 'bob');
  const aliceReadOnly = (await makeKey(t, alice.key, ['graphs:read'])).key;
  return {
    t,
    dir,
    alice,
    bob,
    aliceReadOnly,
    async close() {
      await t.close();
      removeFolder(dir);
    },
  };
}

/** An agent body in the agent format (JSON): input -> template -> output, and optionally a webhook. */
export function agentBody(name: string, options: { template?: string; webhook?: boolean; owner?: string } = {}): Record<string, unknown> {
  return {
    name,
    description: `The ${name} agent.`,
    ...(options.owner ? { owner: options.owner } : {}),
    nodes: {
      who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' } },
      greet: { block: 'text.template', inputs: { template: options.template ?? 'Hello, {{ who }}!' }, retry: { attempts: 2, delay: '1s' }, timeout: '30s' },
      greeting: { block: 'output', inputs: { name: 'greeting' } },
      ...(options.webhook ? { hook: { block: 'trigger.webhook', inputs: { methods: ['POST'] } } } : {}),
    },
    links: ['who.value -> greet.values.who', 'greet.text -> greeting.value', ...(options.webhook ? ['hook.body -> greet.values.body'] : [])],
  };
}

export { agentText, writeFile };
