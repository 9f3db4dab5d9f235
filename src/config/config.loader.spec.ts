import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.loader.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults with no files at all', () => {
    const config = loadConfig({ env: {}, configDir: configDir({}) });
    expect(config.server.port).toBe(3000);
    expect(config.executor.node_timeout).toBe(300_000);
    expect(config.executor.max_value_bytes).toBe(1024 * 1024);
    expect(config.credits).toEqual({ enabled: true, initial_grant: 1000, low_balance_threshold: 100 });
    expect(config.auth.rate_limit.per_key).toEqual({ limit: 6000, windowMs: 60_000 });
    expect(config.webhooks.rate_limit).toBe('off');
    expect(config.role).toBe('all');
    expect(config.env).toBe('development');
    expect(config.databaseUrl).toBeNull();
    expect(config.queuePrefix).toBe('trellis');
  });

  it('layers default.yaml, <env>.yaml, the environment and ${VAR} interpolation', () => {
    const dir = configDir({
      'default.yaml': 'executor:\n  concurrency: 10\n  lease: 20s\ncredits:\n  initial_grant: ${GRANT:-5}\n',
      'staging.yaml': 'executor:\n  concurrency: 20\n',
    });
    const config = loadConfig({
      env: { TRELLIS_ENV: 'staging', TRELLIS_EXECUTOR__LEASE: '45s', TRELLIS_AUTH__RATE_LIMIT__PER_KEY: '100000/min', PORT: '4001' },
      configDir: dir,
    });
    expect(config.executor.concurrency).toBe(20);
    expect(config.executor.lease).toBe(45_000);
    expect(config.credits.initial_grant).toBe(5);
    expect(config.auth.rate_limit.per_key).toEqual({ limit: 100_000, windowMs: 60_000 });
    expect(config.server.port).toBe(4001);
  });

  it('treats an unset ${VAR} as an unset key, and TRELLIS_CREDITS__ENABLED=false as false', () => {
    const dir = configDir({ 'default.yaml': 'auth:\n  jwt:\n    secret: ${NOPE_NOT_SET}\n' });
    const config = loadConfig({ env: { TRELLIS_CREDITS__ENABLED: 'false' }, configDir: dir });
    expect(config.auth.jwt.secret).toBeUndefined();
    expect(config.credits.enabled).toBe(false);
  });

  it('refuses an unknown key, naming file and key', () => {
    const dir = configDir({ 'default.yaml': 'executor:\n  concurrancy: 10\n' });
    const problems = problemsOf(() => loadConfig({ env: {}, configDir: dir, cwd: dir }));
    expect(problems).toEqual([{ file: 'default.yaml', key: 'executor.concurrancy', reason: expect.stringContaining('unknown key') }]);
  });

  it('refuses an unknown section from the environment', () => {
    const problems = problemsOf(() => loadConfig({ env: { TRELLIS_EXECUTER__LEASE: '1s' }, configDir: configDir({}) }));
    expect(problems[0]).toMatchObject({ file: 'environment', key: 'executer' });
  });

  it('refuses a bad value, naming file, key and what was expected', () => {
    const dir = configDir({ 'default.yaml': 'executor:\n  node_timeout: soon\n  concurrency: -1\nserver:\n  trust_proxy: maybe\n' });
    const problems = problemsOf(() => loadConfig({ env: {}, configDir: dir, cwd: dir }));
    expect(problems).toEqual([
      { file: 'default.yaml', key: 'executor.node_timeout', reason: expect.stringContaining('expected a duration like 500ms') },
      { file: 'default.yaml', key: 'executor.concurrency', reason: 'must be at least 1, got -1' },
      { file: 'default.yaml', key: 'server.trust_proxy', reason: 'expected true or false, got "maybe"' },
    ]);
  });

  it('refuses a duration below its least value (executor.sweep_interval under 50ms), and reads one above it', () => {
    const problems = problemsOf(() => loadConfig({ env: { TRELLIS_EXECUTOR__SWEEP_INTERVAL: '10ms' }, configDir: configDir({}) }));
    expect(problems).toEqual([{ file: 'environment', key: 'executor.sweep_interval', reason: 'must be at least 50ms, got "10ms"' }]);
    expect(loadConfig({ env: { TRELLIS_EXECUTOR__SWEEP_INTERVAL: '200ms' }, configDir: configDir({}) }).executor.sweep_interval).toBe(200);
  });

  it('reports YAML syntax errors with line and column', () => {
    const dir = configDir({ 'default.yaml': 'server:\n  port: [1, 2\n' });
    const problems = problemsOf(() => loadConfig({ env: {}, configDir: dir, cwd: dir }));
    expect(problems[0]!.file).toMatch(/^default\.yaml:\d+:\d+$/);
  });

  it('refuses to start in production without an encryption key', () => {
    const problems = problemsOf(() => loadConfig({ env: { TRELLIS_ENV: 'production' }, configDir: configDir({}) }));
    expect(problems).toEqual([{ file: 'environment', key: 'TRELLIS_ENCRYPTION_KEY', reason: expect.stringContaining('required when TRELLIS_ENV=production') }]);
    expect(loadConfig({ env: { TRELLIS_ENV: 'production', TRELLIS_ENCRYPTION_KEY: KEY }, configDir: configDir({}) }).encryptionKey).toBe(KEY);
  });

  it('refuses an encryption key that is not 32 bytes, a bad role and a bad DATABASE_URL', () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { TRELLIS_ENCRYPTION_KEY: 'short', TRELLIS_ROLE: 'boss', DATABASE_URL: 'mysql://x' }, configDir: configDir({}) }),
    );
    expect(problems.map((p) => p.key).sort()).toEqual(['DATABASE_URL', 'TRELLIS_ENCRYPTION_KEY', 'TRELLIS_ROLE']);
  });

  it('a ${VAR} inside text with the variable unset is an error', () => {
    const dir = configDir({ 'default.yaml': 'integrations:\n  github:\n    base_url: https://${GHE_HOST}/api/v3\n' });
    const problems = problemsOf(() => loadConfig({ env: {}, configDir: dir, cwd: dir }));
    expect(problems[0]).toMatchObject({ key: 'integrations.github.base_url', reason: expect.stringContaining('GHE_HOST is not set') });
  });

  it('loads costs.yaml, credentials.yaml and notifications.yaml, and checks them', () => {
    const dir = configDir({
      'costs.yaml': 'blocks:\n  http.request: 2\nmodels:\n  gpt-4o: 5\nintegrations:\n  shop: 4\ndefault_model_cost: 3\n',
      'credentials.yaml': 'github-bot:\n  provider: github\n  type: api_key\n  env: { key: BOT_TOKEN }\n',
      'notifications.yaml': 'ops-slack:\n  type: slack\n  credential: ops-webhook\nops-mail:\n  type: email\n  to: ops@example.com\n',
    });
    const config = loadConfig({ env: { BOT_TOKEN: 'ghp_x' }, configDir: dir });
    expect(config.costs).toEqual({ blocks: { 'http.request': 2 }, models: { 'gpt-4o': 5 }, integrations: { shop: 4 }, default_model_cost: 3 });
    expect(config.credentials['github-bot']).toEqual({
      provider: 'github',
      type: 'api_key',
      fields: { key: 'ghp_x' },
      env: { key: 'BOT_TOKEN' },
      allow: { file_agents: true, roles: ['admin'], users: [] },
      hosts: ['api.github.com'],
    });
    expect(config.notificationChannels['ops-mail']).toEqual({ type: 'email', to: ['ops@example.com'] });

    const bad = configDir({ 'costs.yaml': 'blocks:\n  http.request: -1\n', 'notifications.yaml': 'x:\n  type: pager\n' });
    const problems = problemsOf(() => loadConfig({ env: {}, configDir: bad, cwd: bad }));
    expect(problems.map((p) => `${p.file}: ${p.key}`)).toEqual(['costs.yaml: blocks.http.request', 'notifications.yaml: x.type']);
  });

  it('reports every problem at once in one readable message', () => {
    const dir = configDir({ 'default.yaml': 'server:\n  port: x\ncredits:\n  enabled: 3\n' });
    try {
      loadConfig({ env: {}, configDir: dir, cwd: dir });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as Error).message).toContain('2 problems');
      expect((error as Error).message).toContain('default.yaml: server.port: expected a whole number, got "x"');
      expect((error as Error).message).toContain('default.yaml: credits.enabled: expected true or false, got 3');
    }
  });
});
