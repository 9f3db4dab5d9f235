// `trellis credentials rotate [--batch-size n]`: re-encrypts every credential (and pending OAuth2
// sign-in) under TRELLIS_ENCRYPTION_KEY, reading old ones with TRELLIS_ENCRYPTION_KEYS_OLD. Safe to run
// again; exits 1 if some secret could not be read with any configured key. The action loads what it
// uses when it runs, so registering the command (and `trellis --help`) loads only commander.
import type { Command } from 'commander';
import type { OpenDataSource } from '../database/data-source.js';
import type { RotationReport } from './credentials.rotation.js';

export function formatRotationReport(report: RotationReport): string[] {
  const { credentials: c, oauthStates: s } = report;
  const lines = [
    `Current key: ${report.keyId}.`,
    `Credentials: ${c.reencrypted} re-encrypted, ${c.alreadyCurrent} already under the current key` +
      `${c.changed ? `, ${c.changed} changed meanwhile (already current)` : ''}, ${c.failed.length} could not be read.`,
    `Pending OAuth2 sign-ins: ${s.reencrypted} re-encrypted${s.changed ? `, ${s.changed} changed meanwhile` : ''}, ${s.failed.length} could not be read.`,
  ];
  for (const failure of [...c.failed, ...s.failed]) {
    lines.push(`  cannot read "${failure.name}" of user ${failure.user_id} (${failure.id}): ${failure.reason}`);
  }
  if (c.failed.length || s.failed.length) {
    lines.push('Add the key that encrypted them to TRELLIS_ENCRYPTION_KEYS_OLD (comma-separated) and run this again, or have their owners store them again.');
  }
  return lines;
}

function parseBatchSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error(`--batch-size must be a whole number from 1 to 10000, got "${text}"`);
  return n;
}

export function registerCredentialsCommands(program: Command, openDataSource: OpenDataSource): void {
  const credentials = program.command('credentials').description('manage stored credentials');
  credentials
    .command('rotate')
    .description('re-encrypt every credential under TRELLIS_ENCRYPTION_KEY (older keys from TRELLIS_ENCRYPTION_KEYS_OLD); idempotent')
    .option('--batch-size <n>', 'rows per batch', parseBatchSize, 200)
    .action(async (options: { batchSize: number }) => {
      const { createLogger } = await import('../common/logger.js');
      const { loadConfig } = await import('../config/config.loader.js');
      const { startEmbeddedPostgres } = await import('../database/embedded.js');
      const { runMigrations } = await import('../database/migrate.js');
      const { CredentialsRepository } = await import('./credentials.repository.js');
      const { rotateCredentials } = await import('./credentials.rotation.js');
      const { loadKeyring } = await import('./encryption-key.js');
      const { OAuthStatesRepository } = await import('./oauth-states.repository.js');
      const config = loadConfig();
      const logger = createLogger(config.logging.level);
      const { keyring } = loadKeyring(config);
      const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config, logger, { share: true });
      const dataSource = await openDataSource({ url: config.databaseUrl ?? embedded!.url, poolSize: 2, applicationName: 'trellis-cli' });
      await dataSource.initialize();
      try {
        await runMigrations(dataSource);
        const report = await rotateCredentials({
          credentials: new CredentialsRepository(dataSource),
          states: new OAuthStatesRepository(dataSource),
          keyring,
          batchSize: options.batchSize,
          onBatch: (what, counts) => process.stderr.write(`${what}: ${counts.reencrypted} re-encrypted so far\n`),
        });
        for (const line of formatRotationReport(report)) process.stdout.write(`${line}\n`);
        if (report.credentials.failed.length || report.oauthStates.failed.length) process.exitCode = 1;
      } finally {
        await dataSource.destroy();
        await embedded?.stop();
      }
    });
}
