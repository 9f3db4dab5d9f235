// Agents folders with trigger.cron nodes, synced as sync does it, for the schedules tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHttpApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { TestApp } from '../helpers/app.js';
import { connect } from '../helpers/database.js';

/** A cron agent: trigger -> output `fired` (the scheduled_for), plus an optional input for ad-hoc runs. */
export function cronAgentYaml(name: string, schedule: string, options: { timezone?: string; node?: string } = {}): string {
  const node = options.node ?? 'tick';
  return [
    `name: ${name}`,
    'nodes:',
    `  ${node}:`,
    '    block: trigger.cron',
    '    inputs:',
    `      schedule: "${schedule}"`,
    `      timezone: ${options.timezone ?? 'UTC'}`,
    '      payload: { job: nightly }',
    '  who:',
    '    block: input',
    '    inputs: { name: who, type: string, default: cron }',
    '  fired:',
    '    block: output',
    '    inputs: { name: fired }',
    '  whom:',
    '    block: output',
    '    inputs: { name: whom }',
    'links:',
    `  - ${node}.scheduled_for -> fired.value`,
    '  - who.value -> whom.value',
    '',
  ].join('\n');
}

export function agentsFolder(files: Record<string, string>): { dir: string; write(files: Record<string, string>): void; remove(name: string): void; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-schedules-'));
  const write = (more: Record<string, string>) => {
    for (const [file, text] of Object.entries(more)) writeFileSync(join(dir, file), text);
  };
  write(files);
  return { dir, write, remove: (name) => rmSync(join(dir, name), { force: true }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Another app instance (in-process mode) on the same database as `t`: a second replica. */
export async function secondInstance(t: TestApp): Promise<{ close(): Promise<void> }> {
  const config = loadConfig({ env: { ...process.env, TRELLIS_ENV: 'test', DATABASE_URL: t.database.url, REDIS_URL: '', TRELLIS_ADMIN_API_KEY: 'second-instance-admin-key' }, overrides: { credits: { enabled: false } } });
  const dataSource = await connect(t.database.url);
  const app = await createHttpApp({ config, dataSource, logger: pino({ level: 'silent' }), redis: null });
  await app.init();
  return {
    async close() {
      await app.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
