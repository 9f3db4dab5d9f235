// Helpers of the notification tests: a config folder of its own (the repository's config plus a
// notifications.yaml and credentials.yaml naming local peers), and a look at the delivery log.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { waitFor } from '../helpers/wait.js';

export const HOOK_SECRET = 'notify-hook-secret-0123456789';

export interface ConfigFolder {
  dir: string;
  remove(): void;
}

/** config/*.yaml copied, with these notifications.yaml and credentials.yaml. */
export function configFolder(notificationsYaml: string, credentialsYaml = ''): ConfigFolder {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-notify-config-'));
  for (const file of ['default.yaml', 'test.yaml', 'costs.yaml']) copyFileSync(join('config', file), join(dir, file));
  writeFileSync(join(dir, 'notifications.yaml'), notificationsYaml);
  writeFileSync(join(dir, 'credentials.yaml'), credentialsYaml);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface DeliveryRow {
  id: string;
  user_id: string | null;
  kind: string;
  channel_type: string;
  channel_name: string | null;
  target: string | null;
  status: string;
  attempts: number;
  last_error: string | null;
  execution_id: string | null;
  payload: Record<string, unknown>;
}

export async function deliveries(dataSource: DataSource, where = 'true', params: unknown[] = []): Promise<DeliveryRow[]> {
  return (await dataSource.query(`SELECT * FROM notification_deliveries WHERE ${where} ORDER BY created_at, id`, params)) as DeliveryRow[];
}

/** Waits until every delivery matching `where` left PENDING; answers them. */
export async function settledDeliveries(dataSource: DataSource, where: string, params: unknown[], count: number, timeoutMs = 15_000): Promise<DeliveryRow[]> {
  return waitFor(
    () => deliveries(dataSource, where, params),
    (rows) => rows.length >= count && rows.every((row) => row.status !== 'PENDING'),
    { what: `${count} settled deliveries (${where})`, timeoutMs },
  );
}
