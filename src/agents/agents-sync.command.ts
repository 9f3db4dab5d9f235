// `trellis plan [dir]` and `trellis sync [dir]`: the plan against the database, and applying it. They
// connect like `trellis migrate` (DATABASE_URL, else the embedded Postgres) and migrate first, like start.
// What they run loads when they run: registering them (and `trellis --help`) loads only commander.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../common/errors.js';
import type { OpenDataSource } from '../database/data-source.js';
import { processIo, type CliIo } from './agents.command.js';
import { PLAN_FORMATS, type AgentsPlan, type PlanFormat } from './agents-plan.js';
import { renderPlanMarkdown } from './agents-plan.render.js';
import type { AgentsServices } from './agents-services.js';

export type { AgentsServices } from './agents-services.js';

/**
 * Connects as the server does, runs `work`, and always disconnects. A plan may read a running server's
 * embedded database; a sync may not write behind its back (its triggers would not hear of the changes).
 */
export async function withAgentsServices<T>(io: CliIo, openDataSource: OpenDataSource, work: (services: AgentsServices) => Promise<T>, writes = false): Promise<T> {
  const { loadConfig } = await import('../config/config.loader.js');
  const { createLogger } = await import('../common/logger.js');
  const { startEmbeddedPostgres } = await import('../database/embedded.js');
  const { runMigrations } = await import('../database/migrate.js');
  const { agentsServices } = await import('./agents-services.js');
  const config = loadConfig({ env: io.env, cwd: io.cwd });
  const logger = createLogger(config.logging.level);
  const busyHint =
    `A sync here would change its agents behind its back (its webhooks and schedules would not hear of it): ` +
    `run \`trellis sync --server http://127.0.0.1:${config.server.port}\` with an admin API key (--api-key or TRELLIS_API_KEY), or stop the server first.`;
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config, logger, writes ? { busyHint } : { share: true });
  const dataSource = await openDataSource({ url: config.databaseUrl ?? embedded!.url, poolSize: 2, applicationName: 'trellis-cli' });
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
    return await work(agentsServices(dataSource, config));
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

function checkFormat(format: string, io: CliIo): format is PlanFormat {
  if ((PLAN_FORMATS as readonly string[]).includes(format)) return true;
  io.err(`--format must be one of ${PLAN_FORMATS.join(', ')}, got "${format}"\n`);
  return false;
}

function print(plan: AgentsPlan, format: PlanFormat, io: CliIo): void {
  io.out(format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : renderPlanMarkdown(plan));
}

/** Exit 1 when a file or an integration is invalid (it is skipped), else 0. */
export async function planCommand(dir: string | undefined, format: string, io: CliIo, services: AgentsServices): Promise<number> {
  if (!checkFormat(format, io)) return 2;
  const plan = await services.plans.plan(dir !== undefined ? resolve(io.cwd, dir) : undefined);
  print(plan, format, io);
  return invalidAnything(plan) ? 1 : 0;
}

function integrationCounts(plan: AgentsPlan): string {
  const changed = (plan.integrations ?? []).filter((e) => e.action !== 'unchanged');
  if (!changed.length) return '';
  return `; integrations: ${changed.map((e) => `${e.name} ${e.action === 'invalid' ? 'invalid (last good version kept)' : e.action}`).join(', ')}`;
}

/** An invalid agent file, or an invalid integration (kept at its last good version). */
function invalidAnything(plan: AgentsPlan): boolean {
  return plan.summary.invalid > 0 || (plan.integrations ?? []).some((e) => e.action === 'invalid');
}

/** Exit 1 when a file or an integration is invalid (it was skipped, the rest applied), else 0; a refused sync says why. */
export async function syncCommand(dir: string | undefined, format: string, io: CliIo, services: AgentsServices): Promise<number> {
  if (!checkFormat(format, io)) return 2;
  const result = await services.syncs.sync({ ...(dir !== undefined ? { dir: resolve(io.cwd, dir) } : {}), trigger: 'cli' });
  print(result, format, io);
  if (result.status === 'skipped') io.err(`nothing synced: ${result.reason}\n`);
  else io.err(`synced ${result.folder}: ${result.summary.create} created, ${result.summary.update} updated, ${result.summary.pinned} recorded while pinned, ${result.summary.remove} removed, ${result.summary.invalid} invalid (skipped), ${result.summary.unchanged} unchanged${integrationCounts(result)}\n`);
  return invalidAnything(result) ? 1 : 0;
}

export function registerSyncCommands(program: Command, openDataSource: OpenDataSource, io: () => CliIo = processIo): void {
  const run = (work: (services: AgentsServices, io: CliIo) => Promise<number>, writes: boolean) => async () => {
    const streams = io();
    try {
      process.exitCode = await withAgentsServices(streams, openDataSource, (services) => work(services, streams), writes);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      streams.err(`${error.message}\n`);
      process.exitCode = 2;
    }
  };
  program
    .command('plan [dir]')
    .description('what a sync would change, agent by agent, like a terraform plan (default folder: AGENTS_DIR or ./agents); exit 1 if a file is invalid')
    .option('--format <format>', `output: ${PLAN_FORMATS.join(', ')} (markdown reads well in a terminal and a pull request)`, 'markdown')
    .action((dir: string | undefined, options: { format: string }) => run((services, streams) => planCommand(dir, options.format, streams, services), false)());
  program
    .command('sync [dir]')
    .description('make the database match the agents folder (new versions, removals; invalid files are skipped); exit 1 if a file is invalid')
    .option('--format <format>', `output: ${PLAN_FORMATS.join(', ')}`, 'markdown')
    .action((dir: string | undefined, options: { format: string }) => run((services, streams) => syncCommand(dir, options.format, streams, services), true)());
}
