// config/credentials.yaml: the operator's credentials. Each names its secrets' environment variables
// (`env:`; inline ${VAR} is refused here, so a secret never sits in a file), who may use it (`allow`,
// default file agents and admins) and where it may be sent (`hosts`, default what its provider implies).
// The system defaults (OPENAI_API_KEY, ...) become operator credentials `default:<provider>` under the
// same rules; an entry of that name sets their allow and hosts. Every problem is reported as file: key.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { hostEntryOf, parseHostEntry } from '../common/credential-hosts.js';
import { controlCharacterIn, isSecretField } from '../common/secret-text.js';
import type { ConfigProblem } from './config.errors.js';
import type { AppConfig, ConfigCredential, CredentialAllow } from './config.schema.js';

const CREDENTIAL_TYPES = ['api_key', 'oauth2', 'user_password', 'webhook_secret', 'secret_url', 'header', 'smtp'];
const ROLES = ['admin', 'user'] as const;

/** The system defaults: operator credentials read from these variables. */
export const SYSTEM_DEFAULTS: Readonly<Record<string, { provider: string; type: string; field: string; env: string }>> = {
  'default:openai': { provider: 'openai', type: 'api_key', field: 'key', env: 'OPENAI_API_KEY' },
  'default:anthropic': { provider: 'anthropic', type: 'api_key', field: 'key', env: 'ANTHROPIC_API_KEY' },
  'default:github': { provider: 'github', type: 'api_key', field: 'key', env: 'GITHUB_TOKEN' },
  'default:smtp': { provider: 'smtp', type: 'smtp', field: 'url', env: 'SMTP_URL' },
};

/** The name of a provider's system default. */
export function systemDefaultName(provider: string): string {
  return `default:${provider}`;
}

type Integrations = Pick<AppConfig['integrations'], 'openai' | 'anthropic' | 'github'>;

const PROVIDER_HOSTS: Record<string, (integrations: Integrations) => string> = {
  openai: (i) => i.openai.base_url ?? 'https://api.openai.com',
  anthropic: (i) => i.anthropic.base_url ?? 'https://api.anthropic.com',
  github: (i) => i.github.base_url ?? 'https://api.github.com',
};

export function loadCredentials(
  file: string,
  shown: string,
  env: NodeJS.ProcessEnv,
  integrations: Integrations,
  problems: ConfigProblem[],
): Record<string, ConfigCredential> {
  const values = existsSync(file) ? readCredentialsFile(file, shown, problems) : {};
  const out: Record<string, ConfigCredential> = {};
  for (const [name, raw] of Object.entries(values)) {
    const system = SYSTEM_DEFAULTS[name];
    if (name.startsWith('default:') && !system) {
      problems.push({ file: shown, key: name, reason: `unknown system default (known: ${Object.keys(SYSTEM_DEFAULTS).join(', ')})` });
      continue;
    }
    const entry = raw as Record<string, unknown>;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push({ file: shown, key: name, reason: system ? 'expected {allow, hosts}' : 'expected {provider, type, env: {field: ENV_VAR}, allow, hosts}' });
      continue;
    }
    const known = system ? ['allow', 'hosts'] : ['provider', 'type', 'env', 'allow', 'hosts'];
    for (const key of Object.keys(entry)) {
      if (!known.includes(key))
        problems.push({
          file: shown,
          key: `${name}.${key}`,
          reason: `unknown key (known here: ${known.join(', ')})${system ? `; a system default reads ${system.env}` : ''}`,
        });
    }
    const allow = readAllow(entry.allow, shown, name, problems);
    const hosts = entry.hosts === undefined ? undefined : readHosts(entry.hosts, shown, name, problems);
    if (system) continue; // built below, with the entry's allow and hosts
    const credential = readEntry(entry, shown, name, env, problems);
    if (!credential) continue;
    out[name] = finish(credential, allow, hosts, integrations, shown, name, problems);
  }
  for (const [name, system] of Object.entries(SYSTEM_DEFAULTS)) {
    const entry = values[name] as Record<string, unknown> | undefined;
    const value = env[system.env]?.trim();
    const fields: Record<string, string> = {};
    if (value) {
      const bad = controlCharacterIn(value);
      if (bad) problems.push({ file: 'environment', key: system.env, reason: `holds a control character (${bad}); a secret may not contain one` });
      else fields[system.field] = value;
    }
    const allow = entry && typeof entry === 'object' ? readAllow(entry.allow, shown, name, []) : defaultAllow();
    const hosts = entry && typeof entry === 'object' && entry.hosts !== undefined ? readHosts(entry.hosts, shown, name, []) : undefined;
    const base = { provider: system.provider, type: system.type, fields, env: { [system.field]: system.env } };
    out[name] = { ...finish(base, allow, hosts, integrations, shown, name, problems), system: true };
  }
  return out;
}

/** The file's values as written: no ${VAR} interpolation; any ${...} is reported. */
function readCredentialsFile(file: string, shown: string, problems: ConfigProblem[]): Record<string, unknown> {
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      problems.push({ file: pos ? `${shown}:${pos.line}:${pos.col}` : shown, key: '(syntax)', reason: error.message.split('\n')[0]! });
    }
    return {};
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file: shown, key: '(top level)', reason: 'expected a mapping of credential names' });
    return {};
  }
  refuseInlineVariables(value, [], shown, problems);
  return value as Record<string, unknown>;
}

function refuseInlineVariables(value: unknown, path: string[], shown: string, problems: ConfigProblem[]): void {
  if (typeof value === 'string' && value.includes('${')) {
    problems.push({
      file: shown,
      key: path.join('.'),
      reason: 'inline ${VAR} is refused in credentials.yaml (a secret must not be interpolated into a file): name the variable under env: {<field>: VAR}',
    });
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) refuseInlineVariables(inner, [...path, key], shown, problems);
  }
}

function readEntry(entry: Record<string, unknown>, shown: string, name: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]) {
  let ok = true;
  if (typeof entry.provider !== 'string') {
    problems.push({ file: shown, key: `${name}.provider`, reason: 'expected a provider name such as openai, github, slack or http' });
    ok = false;
  }
  if (typeof entry.type !== 'string' || !CREDENTIAL_TYPES.includes(entry.type)) {
    problems.push({ file: shown, key: `${name}.type`, reason: `expected one of ${CREDENTIAL_TYPES.join(', ')}` });
    ok = false;
  }
  const vars = entry.env as Record<string, unknown> | undefined;
  if (!vars || typeof vars !== 'object' || Array.isArray(vars)) {
    problems.push({ file: shown, key: `${name}.env`, reason: 'expected a mapping of secret field to environment variable name' });
    return null;
  }
  const type = String(entry.type);
  const fields: Record<string, string> = {};
  const envNames: Record<string, string> = {};
  for (const [field, varName] of Object.entries(vars)) {
    if (typeof varName !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(varName)) {
      problems.push({ file: shown, key: `${name}.env.${field}`, reason: 'expected the name of an environment variable, such as GITHUB_TOKEN' });
      continue;
    }
    envNames[field] = varName;
    const value = env[varName];
    if (value === undefined || value === '') continue;
    const bad = isSecretField(type, field) ? controlCharacterIn(value) : null;
    if (bad)
      problems.push({
        file: shown,
        key: `${name}.env.${field}`,
        reason: `the value of ${varName} holds a control character (${bad}); a secret may not contain one`,
      });
    else fields[field] = value;
  }
  return ok ? { provider: String(entry.provider), type, fields, env: envNames } : null;
}

function defaultAllow(): CredentialAllow {
  return { file_agents: true, roles: ['admin'], users: [] };
}

function readAllow(raw: unknown, shown: string, name: string, problems: ConfigProblem[]): CredentialAllow {
  const allow = defaultAllow();
  if (raw === undefined) return allow;
  const key = `${name}.allow`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ file: shown, key, reason: 'expected {file_agents: true|false, roles: [admin|user], users: [handles]}' });
    return allow;
  }
  for (const [field, value] of Object.entries(raw)) {
    if (field === 'file_agents') {
      if (typeof value === 'boolean') allow.file_agents = value;
      else problems.push({ file: shown, key: `${key}.file_agents`, reason: 'expected true or false' });
    } else if (field === 'roles') {
      if (Array.isArray(value) && value.every((role) => (ROLES as readonly unknown[]).includes(role))) allow.roles = value as CredentialAllow['roles'];
      else problems.push({ file: shown, key: `${key}.roles`, reason: 'expected a list of roles: admin, user' });
    } else if (field === 'users') {
      if (Array.isArray(value) && value.every((user) => typeof user === 'string' && user !== '')) allow.users = value as string[];
      else problems.push({ file: shown, key: `${key}.users`, reason: 'expected a list of user handles' });
    } else {
      problems.push({ file: shown, key: `${key}.${field}`, reason: 'unknown key (known here: file_agents, roles, users)' });
    }
  }
  return allow;
}

function readHosts(raw: unknown, shown: string, name: string, problems: ConfigProblem[]): string[] {
  if (!Array.isArray(raw)) {
    problems.push({
      file: shown,
      key: `${name}.hosts`,
      reason: 'expected a list of hosts, such as [api.example.com, "*.example.com", "http://ollama.internal:11434"]',
    });
    return [];
  }
  const hosts: string[] = [];
  raw.forEach((entry, index) => {
    const parsed = typeof entry === 'string' ? parseHostEntry(entry) : { error: 'expected a host name' };
    if ('error' in parsed) problems.push({ file: shown, key: `${name}.hosts[${index}]`, reason: parsed.error });
    else hosts.push(String(entry).trim());
  });
  return hosts;
}

/** Adds allow and hosts: the entry's `hosts`, else what the provider (or a secret_url's own URL) implies. */
function finish(
  base: Omit<ConfigCredential, 'allow' | 'hosts'>,
  allow: CredentialAllow,
  hosts: string[] | undefined,
  integrations: Integrations,
  shown: string,
  name: string,
  problems: ConfigProblem[],
): ConfigCredential {
  if (hosts) return { ...base, allow, hosts };
  const implied = base.type === 'secret_url' ? base.fields.url : PROVIDER_HOSTS[base.provider]?.(integrations);
  if (implied !== undefined) return { ...base, allow, hosts: [hostEntryOf(implied)].filter((h): h is string => h !== null) };
  if (base.provider === 'http') {
    problems.push({
      file: shown,
      key: `${name}.hosts`,
      reason: 'is required for an http credential: list where it may be sent, such as hosts: [api.example.com]',
    });
  }
  // No provider host to imply (smtp connects to its own host; a trigger's webhook secret is never sent).
  return { ...base, allow, hosts: [] };
}

export function credentialsFile(configDir: string): string {
  return join(configDir, 'credentials.yaml');
}
