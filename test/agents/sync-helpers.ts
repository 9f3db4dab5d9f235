// Helpers of the sync and plan tests: an agents folder of its own in a temp dir, agent texts, the sync
// and plan services over a test database, and small queries to read what sync wrote.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';
import { agentsServices, type AgentsServices } from '../../src/agents/agents-services.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { AppConfig } from '../../src/config/config.schema.js';

export function tempFolder(label = 'agents'): string {
  return mkdtempSync(join(tmpdir(), `trellis-${label}-`));
}

export function writeFile(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

export function removeFile(dir: string, path: string): void {
  rmSync(join(dir, path));
}

export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const lines = (...text: string[]): string => text.join('\n') + '\n';

export interface AgentOptions {
  template?: string;
  description?: string;
  owner?: string;
  /** Extra node lines (indented two spaces, under `nodes:`). */
  nodes?: string[];
  /** Extra link lines (`  - a.b -> c.d`). */
  links?: string[];
  /** Adds a webhook trigger node `hook` feeding the template. */
  webhook?: boolean;
}

/** A small valid agent: input `who` -> template `greet` -> output `greeting`. */
export function agentText(name: string, options: AgentOptions = {}): string {
  return lines(
    `name: ${name}`,
    ...(options.description !== undefined ? [`description: ${options.description}`] : []),
    ...(options.owner !== undefined ? [`owner: ${options.owner}`] : []),
    'nodes:',
    '  who:',
    '    block: input',
    '    inputs: { name: who, type: string, default: world }',
    '  greet:',
    '    block: text.template',
    '    inputs:',
    `      template: "${options.template ?? 'Hello, {{ who }}!'}"`,
    '  greeting:',
    '    block: output',
    '    inputs: { name: greeting }',
    ...(options.webhook ? ['  hook:', '    block: trigger.webhook', '    inputs: { methods: [POST] }'] : []),
    ...(options.nodes ?? []),
    'links:',
    '  - who.value -> greet.values.who',
    '  - greet.text -> greeting.value',
    ...(options.webhook ? ['  - hook.body -> greet.values.body'] : []),
    ...(options.links ?? []),
  );
}

/** Configuration as a test server would load it, over this folder. */
export function testConfig(agentsDir: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({ env: { ...process.env, TRELLIS_ENV: 'test', AGENTS_DIR: agentsDir, REDIS_URL: '', ...env } });
}

export function servicesFor(dataSource: DataSource, agentsDir: string): AgentsServices {
  return agentsServices(dataSource, testConfig(agentsDir));
}

export interface GraphState {
  id: string;
  source: string;
  active: boolean;
  active_version: number;
  latest_version: number;
  pinned_version: number | null;
  file: string | null;
  owner_id: string | null;
}

export async function graphState(dataSource: DataSource, id: string): Promise<GraphState | undefined> {
  const rows = (await dataSource.query(
    `SELECT id, source, active, active_version, latest_version, pinned_version, file, owner_id FROM graphs WHERE id = $1`,
    [id],
  )) as GraphState[];
  return rows[0];
}

export async function versionsOf(dataSource: DataSource, id: string): Promise<Array<{ version: number; hash: string; file: string | null; commit: string | null; template: string }>> {
  return (await dataSource.query(
    `SELECT version, hash, file, "commit", definition #>> '{nodes,greet,inputs,template}' AS template FROM graph_versions WHERE graph_id = $1 ORDER BY version`,
    [id],
  )) as Array<{ version: number; hash: string; file: string | null; commit: string | null; template: string }>;
}

export async function countRows(dataSource: DataSource, table: 'graphs' | 'graph_versions' | 'graph_triggers'): Promise<number> {
  const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>;
  return row!.n;
}

/** A user row with a credit-less account (enough for owner checks). */
export async function insertUser(dataSource: DataSource, handle: string): Promise<string> {
  const id = `user-${handle}`;
  await dataSource.query(`INSERT INTO users (id, handle, role) VALUES ($1, $2, 'user')`, [id, handle]);
  return id;
}

/** Runs git in `dir` with a fixed identity; answers its output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Trellis Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined } as NodeJS.ProcessEnv,
  }).trim();
}
