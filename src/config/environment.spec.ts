import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from './config.loader.js';
import type { AppConfig } from './config.schema.js';
import { gitEnvironment } from './environment.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'trellis-config-'));

describe('settings read from the environment by the config loader only', () => {
  it('listens on HOST, or every address when HOST is unset', () => {
    expect(loadConfig({ env: {}, configDir: emptyDir() }).host).toBe('0.0.0.0');
    expect(loadConfig({ env: { HOST: '127.0.0.1' }, configDir: emptyDir() }).host).toBe('127.0.0.1');
  });

  it('tries TRELLIS_EMBEDDED_PG_PORT first for the embedded Postgres, else 54329 (also when it is not a number)', () => {
    expect(loadConfig({ env: {}, configDir: emptyDir() }).embeddedPostgresPort).toBe(54329);
    expect(loadConfig({ env: { TRELLIS_EMBEDDED_PG_PORT: '6543' }, configDir: emptyDir() }).embeddedPostgresPort).toBe(6543);
    expect(loadConfig({ env: { TRELLIS_EMBEDDED_PG_PORT: 'soon' }, configDir: emptyDir() }).embeddedPostgresPort).toBe(54329);
  });

  it('holds SMTP_URL and GITHUB_TOKEN as the system-default credentials their users read', () => {
    const config = loadConfig({ env: { SMTP_URL: ' smtp://mail.example.com:587 ', GITHUB_TOKEN: 'ghp_x' }, configDir: emptyDir() });
    expect(config.credentials['default:smtp']?.fields).toEqual({ url: 'smtp://mail.example.com:587' });
    expect(config.credentials['default:github']?.fields).toEqual({ key: 'ghp_x' });
    expect(loadConfig({ env: {}, configDir: emptyDir() }).credentials['default:smtp']?.fields).toEqual({});
  });
});

describe('gitEnvironment', () => {
  const saved = { GIT_DIR: process.env.GIT_DIR, GIT_WORK_TREE: process.env.GIT_WORK_TREE };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  it("is the process's environment without GIT_DIR and GIT_WORK_TREE, so git finds the folder's own repository", () => {
    process.env.GIT_DIR = '/elsewhere/.git';
    process.env.GIT_WORK_TREE = '/elsewhere';
    const env = gitEnvironment();
    expect(env.GIT_DIR).toBeUndefined();
    expect(env.GIT_WORK_TREE).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
    expect(process.env.GIT_DIR).toBe('/elsewhere/.git');
  });
});

describe('AppConfig', () => {
  it('is derived from CONFIG_SCHEMA: defaults are present, fields without one are optional, enums are unions', () => {
    const config: AppConfig = loadConfig({ env: {}, configDir: emptyDir() });
    // Checked by the typechecker (this file is in tsconfig.json): a schema change changes these types.
    const level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = config.logging.level;
    const repository: string | undefined = config.gitops.repository;
    // @ts-expect-error `gitops.repository` has no default, so it may be absent.
    const required: string = config.gitops.repository;
    expect([level, repository, required]).toEqual(['info', undefined, undefined]);
  });
});
