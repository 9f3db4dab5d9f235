// Loads config/default.yaml, config/<TRELLIS_ENV>.yaml and the environment once, checks every key
// against CONFIG_SCHEMA and answers a typed AppConfig, or a ConfigError naming file, key and reason.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { credentialsFile, loadCredentials } from './credentials.loader.js';
import {
  CONFIG_SCHEMA,
  convertField,
  isField,
  type AppConfig,
  type CostsConfig,
  type FieldSpec,
  type NotificationChannelConfig,
  type SchemaConfig,
  type SchemaNode,
} from './config.schema.js';

export interface ConfigProblem {
  file: string;
  key: string;
  reason: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Trellis cannot start: the configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${p.file}: ${p.key}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to TRELLIS_CONFIG_DIR or ./config, relative to cwd. */
  configDir?: string;
  cwd?: string;
  /** Applied last, as if they came from TRELLIS_<SECTION>__<KEY> (tests use them). */
  overrides?: Record<string, unknown>;
}

const ROLES = ['api', 'worker', 'all'] as const;
/** Plain environment variables that set a config key (the spec's Environment table). */
const ENV_ALIASES: Record<string, string> = {
  PORT: 'server.port',
  JWT_SECRET: 'auth.jwt.secret',
  LOG_LEVEL: 'logging.level',
};

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
  const envLayer: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    if (env[name] !== undefined && env[name] !== '') setPath(envLayer, path.split('.'), env[name]);
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TRELLIS_') || !name.includes('__') || value === undefined) continue;
    const path = name.slice('TRELLIS_'.length).toLowerCase().split('__');
    setPath(envLayer, path, value);
  }
  layers.push({ source: 'environment', values: envLayer });
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
  };
}

function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function displayPath(cwd: string, file: string): string {
  return file.startsWith(cwd + '/') ? file.slice(cwd.length + 1) : file;
}

function isKey32(text: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === 32;
}

/** Reads a YAML file with `${VAR}` interpolation; problems name the file and the key. */
function readYamlFile(file: string, shown: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, unknown> | null {
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source, { uniqueKeys: true });
  if (doc.errors.length) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      problems.push({ file: pos ? `${shown}:${pos.line}:${pos.col}` : shown, key: '(syntax)', reason: error.message.split('\n')[0]! });
    }
    return null;
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file: shown, key: '(top level)', reason: 'expected a mapping of sections' });
    return null;
  }
  return interpolate(value, env, [], shown, problems) as Record<string, unknown>;
}

const WHOLE_VAR = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;
const ANY_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}` and `${VAR:-default}`; a value that is only an unset `${VAR}` counts as not set at all. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string[], file: string, problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_VAR.exec(value);
    if (whole) {
      const found = env[whole[1]!];
      if (found !== undefined && found !== '') return found;
      return whole[2] ?? undefined;
    }
    return value.replace(ANY_VAR, (_text, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push({ file, key: path.join('.'), reason: `environment variable ${name} is not set (set it, or write \${${name}:-default})` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, [...path, String(i)], file, problems));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const result = interpolate(item, env, [...path, key], file, problems);
      if (result !== undefined) out[key] = result;
    }
    return out;
  }
  return value;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function applyDefaults(schema: SchemaNode, out: Record<string, unknown>, problems: ConfigProblem[]): void {
  for (const [key, spec] of Object.entries(schema)) {
    if (isField(spec)) {
      if (spec.default === undefined) continue;
      const converted = convertField(spec, spec.default);
      if ('error' in converted) problems.push({ file: 'config.schema.ts', key, reason: converted.error });
      else out[key] = converted.value;
    } else {
      const child: Record<string, unknown> = {};
      applyDefaults(spec, child, problems);
      out[key] = child;
    }
  }
}

function mergeLayer(
  schema: SchemaNode,
  values: Record<string, unknown>,
  out: Record<string, unknown>,
  path: string[],
  source: string,
  problems: ConfigProblem[],
): void {
  for (const [key, raw] of Object.entries(values)) {
    const keyPath = [...path, key];
    const spec = schema[key];
    if (!spec) {
      const known = Object.keys(schema).join(', ');
      problems.push({ file: source, key: keyPath.join('.'), reason: `unknown key (known here: ${known})` });
      continue;
    }
    if (raw === null || raw === undefined) continue;
    if (isField(spec)) {
      const converted = convertField(spec as FieldSpec, raw);
      if ('error' in converted) problems.push({ file: source, key: keyPath.join('.'), reason: converted.error });
      else out[key] = converted.value;
      continue;
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file: source, key: keyPath.join('.'), reason: `expected a section with keys ${Object.keys(spec).join(', ')}` });
      continue;
    }
    out[key] ??= {};
    mergeLayer(spec, raw as Record<string, unknown>, out[key] as Record<string, unknown>, keyPath, source, problems);
  }
}

function readOptional(configDir: string, cwd: string, name: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]) {
  const file = join(configDir, name);
  const shown = displayPath(cwd, file);
  if (!existsSync(file)) return { file: shown, values: {} as Record<string, unknown> };
  return { file: shown, values: readYamlFile(file, shown, env, problems) ?? {} };
}

function loadCosts(configDir: string, cwd: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): CostsConfig {
  const { file, values } = readOptional(configDir, cwd, 'costs.yaml', env, problems);
  const costs: CostsConfig = { blocks: {}, models: {}, default_model_cost: 1 };
  for (const [key, raw] of Object.entries(values)) {
    if (key === 'default_model_cost') {
      if (Number.isInteger(raw) && (raw as number) >= 0) costs.default_model_cost = raw as number;
      else problems.push({ file, key, reason: `expected a whole number of credits, got ${JSON.stringify(raw)}` });
    } else if (key === 'blocks' || key === 'models') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        problems.push({ file, key, reason: 'expected a mapping of name to credits' });
        continue;
      }
      for (const [name, cost] of Object.entries(raw)) {
        if (Number.isInteger(cost) && (cost as number) >= 0) costs[key][name] = cost as number;
        else problems.push({ file, key: `${key}.${name}`, reason: `expected a whole number of credits (0 or more), got ${JSON.stringify(cost)}` });
      }
    } else {
      problems.push({ file, key, reason: 'unknown key (known here: blocks, models, default_model_cost)' });
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
