// The app of the trust-boundary tests: a real app over a database of its own, with a config folder and
// an agents folder of its own, the admin key, and helpers to create users, graphs and runs. Outside
// servers are recorders (test/blocks/peers/http-peer.ts) that keep every request's headers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_KEY } from '../auth/auth-helpers.js';
import { startHttpPeer, sendJson, type HttpPeer } from '../blocks/peers/http-peer.js';
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { makeConfigDir, newKey } from '../integrations/integrations-app.js';

export const admin = { 'X-API-Key': ADMIN_KEY };

export interface SecurityApp {
  t: TestApp;
  agentsDir: string;
  /** Writes agents/<name>.yaml and syncs the folder (as the admin). */
  syncAgent(name: string, yaml: string): Promise<void>;
  close(): Promise<void>;
}

export async function createSecurityApp(label: string, credentialsYaml: string, options: TestAppOptions = {}): Promise<SecurityApp> {
  const configDir = makeConfigDir(credentialsYaml);
  const agentsDir = mkdtempSync(join(tmpdir(), 'trellis-sec-agents-'));
  const t = await createTestApp({
    label,
    ...options,
    env: { TRELLIS_ADMIN_API_KEY: ADMIN_KEY, TRELLIS_ENCRYPTION_KEY: newKey(), TRELLIS_CONFIG_DIR: configDir, AGENTS_DIR: agentsDir, ...options.env },
    overrides: { http: { allow_private_addresses: true }, ...options.overrides },
  });
  return {
    t,
    agentsDir,
    async syncAgent(name, yaml) {
      writeFileSync(join(agentsDir, `${name}.yaml`), yaml);
      const res = await request(t.http).post('/api/agents/sync').set(admin);
      if (res.status !== 200) throw new Error(`sync answered ${res.status}: ${JSON.stringify(res.body)}`);
      const entry = (res.body.agents as Array<{ name: string; problems?: unknown[]; action?: string }>).find((a) => a.name === name);
      if (!entry || entry.action === 'invalid') throw new Error(`agent ${name} did not sync: ${JSON.stringify(res.body)}`);
    },
    async close() {
      await t.close();
      rmSync(configDir, { recursive: true, force: true });
      rmSync(agentsDir, { recursive: true, force: true });
    },
  };
}

/** A server that answers 200 {} to everything and records every request (method, path, headers). */
export function startRecorder(): Promise<HttpPeer> {
  return startHttpPeer((_request, response) => sendJson(response, 200, { ok: true }));
}

/** Every value of every header the recorder received, as one text (to look for a secret anywhere). */
export function everythingReceived(peer: HttpPeer): string {
  return JSON.stringify(peer.requests.map((r) => ({ url: r.url, headers: r.headers })));
}

export async function createGraph(t: TestApp, key: string, agent: Record<string, unknown>): Promise<request.Response> {
  return request(t.http).post('/api/graphs').set('X-API-Key', key).send(agent);
}

/** Runs and waits (up to 10 s) for the final state: the execute answer's body. */
export async function runAndWait(t: TestApp, key: string, graph: string, body: Record<string, unknown> = {}, version?: number): Promise<request.Response> {
  return request(t.http)
    .post(`/api/graphs/${graph}/execute${version === undefined ? '' : `/${version}`}?wait=10s`)
    .set('X-API-Key', key)
    .send(body);
}

export interface NodeErrorView {
  node_id: string;
  status: string;
  error: { code: string; message: string } | null;
}

export async function nodesOf(t: TestApp, executionId: string): Promise<NodeErrorView[]> {
  const res = await request(t.http).get(`/api/executions/${executionId}`).set(admin);
  return res.body.node_executions as NodeErrorView[];
}

export async function finishedExecution(t: TestApp, id: string): Promise<{ status: string; file_trust: boolean; user_id: string }> {
  const read = async () =>
    (
      (await t.dataSource.query('SELECT status, file_trust, user_id FROM executions WHERE id = $1', [id])) as Array<{
        status: string;
        file_trust: boolean;
        user_id: string;
      }>
    )[0]!;
  return waitFor(read, (row) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status), { what: `execution ${id} to finish` });
}

/** An error message with the credential name replaced, to compare "refused" with "does not exist". */
export function withoutName(message: string, name: string): string {
  return message.split(name).join('<name>');
}
