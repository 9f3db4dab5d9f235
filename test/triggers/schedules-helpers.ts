// Agents folders with trigger.cron nodes, synced as sync does it, for the schedules tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';

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

export function agentsFolder(files: Record<string, string>): {
  dir: string;
  write(files: Record<string, string>): void;
  remove(name: string): void;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-schedules-'));
  const write = (more: Record<string, string>) => {
    for (const [file, text] of Object.entries(more)) writeFileSync(join(dir, file), text);
  };
  write(files);
  return { dir, write, remove: (name) => rmSync(join(dir, name), { force: true }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Another app instance (in-process mode) on the same database as `t`: a second replica. */
export async function secondInstance(t: TestApp): Promise<{ close(): Promise<void> }> {
  return createTestApp({
    label: 'second',
    database: t.database,
    env: { TRELLIS_ADMIN_API_KEY: 'second-instance-admin-key' },
    overrides: { credits: { enabled: false } },
  });
}
