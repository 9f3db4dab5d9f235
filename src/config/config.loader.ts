// Loads config/default.yaml, config/<TRELLIS_ENV>.yaml and the environment once, checks every key
// against CONFIG_SCHEMA and answers a typed AppConfig, or a ConfigError naming file, key and reason.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { absolute, displayPath, readOptional, readYamlFile } from './config-files.js';
import { applyDefaults, environmentLayer, mergeLayer } from './config-layers.js';
import { ConfigError, type ConfigProblem } from './config.errors.js';
import { credentialsFile, loadCredentials } from './credentials.loader.js';
import { loadVarOverrides } from './vars.loader.js';
import { CONFIG_SCHEMA, type AppConfig, type CostsConfig, type NotificationChannelConfig, type SchemaConfig } from './config.schema.js';

export { ConfigError, type ConfigProblem } from './config.errors.js';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to TRELLIS_CONFIG_DIR or ./config, relative to cwd. */
  configDir?: string;
  cwd?: string;
  /** Applied last, as if they came from TRELLIS_<SECTION>__<KEY> (tests use them). */
  overrides?: Record<string, unknown>;
}

const ROLES = ['api', 'worker', 'all'] as const;

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const trellisEnv = env.TRELLIS_ENV?.trim() || 'development';
  const configDir = absolute(cwd, options.configDir ?? env.TRELLIS_CONFIG_DIR ?? 'config');

  // Layers, lowest first: schema defaults, default.yaml, <env>.yaml, environment, overrides.
  const layers: Array<{ source: string; values: Record<string, unknown> }> = [];
  for (const name of ['default.yaml', `${trellisEnv}.yaml`]) {
    const file = join(configDir, name);
    if (!existsSync(file)) continue;
    const values = readYamlFile(file, displayPath(cwd, file), env, problems);
    if (values) layers.push({ source: displayPath(cwd, file), values });
  }
  layers.push({ source: 'environment', values: environmentLayer(env) });
  if (options.overrides) layers.push({ source: 'overrides', values: structuredClone(options.overrides) });

  const typed: Record<string, unknown> = {};
  applyDefaults(CONFIG_SCHEMA, typed, problems);
  for (const layer of layers) mergeLayer(CONFIG_SCHEMA, layer.values, typed, [], layer.source, problems);

  const role = (env.TRELLIS_ROLE?.trim() || 'all') as AppConfig['role'];
  if (!ROLES.includes(role)) problems.push({ file: 'environment', key: 'TRELLIS_ROLE', reason: `expected api, worker or all, got "${role}"` });

  const encryptionKey = env.TRELLIS_ENCRYPTION_KEY?.trim() || null;
  if (encryptionKey && !isKey32(encryptionKey)) {
    problems.push({
      file: 'environment',
      key: 'TRELLIS_ENCRYPTION_KEY',
      reason: 'must be 32 bytes encoded in base64 (make one with: openssl rand -base64 32)',
    });
  }
  if (!encryptionKey && trellisEnv === 'production') {
    problems.push({
      file: 'environment',
      key: 'TRELLIS_ENCRYPTION_KEY',
      reason: 'is required when TRELLIS_ENV=production (make one with: openssl rand -base64 32)',
    });
  }
  const encryptionKeysOld = (env.TRELLIS_ENCRYPTION_KEYS_OLD ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const key of encryptionKeysOld) {
    if (!isKey32(key))
      problems.push({ file: 'environment', key: 'TRELLIS_ENCRYPTION_KEYS_OLD', reason: 'each comma-separated key must be 32 bytes in base64' });
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push({ file: 'environment', key: 'DATABASE_URL', reason: 'expected postgres://user:password@host:5432/database' });
  }
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push({ file: 'environment', key: 'REDIS_URL', reason: 'expected redis://host:6379 (or rediss:// for TLS)' });
  }
  const queuePrefix = env.TRELLIS_QUEUE_PREFIX?.trim() || 'trellis';
  if (!/^[A-Za-z0-9_.:-]+$/.test(queuePrefix)) {
    problems.push({ file: 'environment', key: 'TRELLIS_QUEUE_PREFIX', reason: 'use letters, digits and _ . : - only' });
  }

  const costs = loadCosts(configDir, cwd, env, problems);
  const credentialsPath = credentialsFile(configDir);
  const credentials = loadCredentials(credentialsPath, displayPath(cwd, credentialsPath), env, typed.integrations as AppConfig['integrations'], problems);
  const notificationChannels = loadChannels(configDir, cwd, env, problems);
  const vars = loadVarOverrides(configDir, cwd, trellisEnv, problems);
  if (problems.length) throw new ConfigError(problems);

  const t = typed as SchemaConfig;
  return {
    ...t,
    env: trellisEnv,
    role,
    configDir,
    agentsDir: absolute(cwd, env.AGENTS_DIR?.trim() || 'agents'),
    integrationsDir: env.INTEGRATIONS_DIR?.trim()
      ? absolute(cwd, env.INTEGRATIONS_DIR.trim())
      : join(absolute(cwd, env.AGENTS_DIR?.trim() || 'agents'), '..', String(t.gitops.integrations_folder)),
    databaseUrl,
    redisUrl,
    queuePrefix,
    encryptionKey,
    encryptionKeysOld,
    adminApiKey: env.TRELLIS_ADMIN_API_KEY?.trim() || null,
    githubWebhookSecret: env.GITHUB_WEBHOOK_SECRET?.trim() || null,
    dataDir: absolute(cwd, env.TRELLIS_DATA_DIR?.trim() || '.trellis'),
    host: env.HOST ?? '0.0.0.0',
    embeddedPostgresPort: Number(env.TRELLIS_EMBEDDED_PG_PORT) || 54329,
    costs,
    credentials,
    notificationChannels,
    vars,
  };
}

function isKey32(text: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === 32;
}

function loadCosts(configDir: string, cwd: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): CostsConfig {
  const { file, values } = readOptional(configDir, cwd, 'costs.yaml', env, problems);
  const costs: Required<CostsConfig> = { blocks: {}, models: {}, default_model_cost: 1, integrations: {} };
  for (const [key, raw] of Object.entries(values)) {
    if (key === 'default_model_cost') {
      if (Number.isInteger(raw) && (raw as number) >= 0) costs.default_model_cost = raw as number;
      else problems.push({ file, key, reason: `expected a whole number of credits, got ${JSON.stringify(raw)}` });
    } else if (key === 'blocks' || key === 'models' || key === 'integrations') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        problems.push({ file, key, reason: 'expected a mapping of name to credits' });
        continue;
      }
      for (const [name, cost] of Object.entries(raw)) {
        if (Number.isInteger(cost) && (cost as number) >= 0) costs[key][name] = cost as number;
        else problems.push({ file, key: `${key}.${name}`, reason: `expected a whole number of credits (0 or more), got ${JSON.stringify(cost)}` });
      }
    } else {
      problems.push({ file, key, reason: 'unknown key (known here: blocks, models, integrations, default_model_cost)' });
    }
  }
  return costs;
}

function loadChannels(configDir: string, cwd: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, NotificationChannelConfig> {
  const { file, values } = readOptional(configDir, cwd, 'notifications.yaml', env, problems);
  const out: Record<string, NotificationChannelConfig> = {};
  const channels = (values.channels ?? values) as Record<string, unknown>;
  for (const [name, raw] of Object.entries(channels)) {
    const entry = raw as Record<string, unknown>;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ file, key: name, reason: 'expected {type: email|slack|webhook, ...}' });
      continue;
    }
    const type = entry.type;
    if (type !== 'email' && type !== 'slack' && type !== 'webhook') {
      problems.push({ file, key: `${name}.type`, reason: `expected email, slack or webhook, got ${JSON.stringify(type)}` });
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (!['type', 'to', 'url', 'credential'].includes(key))
        problems.push({ file, key: `${name}.${key}`, reason: 'unknown key (known here: type, to, url, credential)' });
    }
    const to = entry.to === undefined ? undefined : Array.isArray(entry.to) ? entry.to.map(String) : [String(entry.to)];
    if (type === 'email' && !to?.length) problems.push({ file, key: `${name}.to`, reason: 'an email channel needs `to`: one address or a list' });
    if (type !== 'email' && !entry.url && !entry.credential) problems.push({ file, key: name, reason: `a ${type} channel needs \`url\` or \`credential\`` });
    out[name] = {
      type,
      ...(to ? { to } : {}),
      ...(entry.url ? { url: String(entry.url) } : {}),
      ...(entry.credential ? { credential: String(entry.credential) } : {}),
    };
  }
  return out;
}
