// Reads and checks one `integrations/<name>.yaml`: unknown keys, the name pattern (not a built-in block
// prefix), a relative document path inside the folder, an https base URL (unless allow_private), the
// credential and allow sections. Every problem names its line and column; no file contents are quoted.
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { IntegrationAllow, IntegrationCredential, IntegrationFile, IntegrationProblem } from './integration.types.js';

export const INTEGRATION_NAME = /^[a-z][a-z0-9_]{1,30}$/;
const KEYS = new Set(['name', 'openapi', 'base_url', 'credential', 'operations', 'allow', 'allow_private', 'description']);
const CREDENTIAL_TYPES = new Set(['api_key', 'oauth2', 'user_password']);
const CREDENTIAL_IN = new Set(['header', 'query', 'bearer', 'basic']);

/** Line and column of the node at `path` (or of its key), 1-based. */
export function positionOf(
  document: Document,
  counter: LineCounter,
  path: ReadonlyArray<string | number>,
  at: 'key' | 'value' = 'value',
): { line?: number; column?: number } {
  let node: unknown = document.contents;
  let keyNode: unknown = null;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      const next = (node as { items: unknown[] }).items[Number(part)];
      if (next === undefined) break;
      keyNode = null;
      node = next;
    } else break;
  }
  const target = (at === 'key' && keyNode ? keyNode : node) as Node | null;
  const offset = target?.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = counter.linePos(offset);
  return { line, column: col };
}

export function checkIntegrationFile(
  text: string,
  file: string,
  reserved: ReadonlySet<string>,
): { integration?: IntegrationFile; problems: IntegrationProblem[] } {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const problems: IntegrationProblem[] = [];
  for (const error of document.errors) {
    const { line, col } = counter.linePos(error.pos[0]);
    problems.push({ file, line, column: col, message: `YAML: ${error.code.toLowerCase().replace(/_/g, ' ')}` });
  }
  if (problems.length) return { problems };
  const at = (path: Array<string | number>, message: string, where: 'key' | 'value' = 'value') =>
    problems.push({ file, ...positionOf(document, counter, path, where), message });
  const raw = document.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ file, line: 1, column: 1, message: 'an integration file is a mapping: name, openapi, base_url, credential, operations, allow' });
    return { problems };
  }
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) at([key], `unknown key "${key}": the keys are ${[...KEYS].join(', ')}`, 'key');
  const name = raw.name;
  if (typeof name !== 'string' || !INTEGRATION_NAME.test(name))
    at(['name'], 'name must match ^[a-z][a-z0-9_]{1,30}$ (it prefixes the block ids, e.g. github_api.issues_create)');
  else if (reserved.has(name)) at(['name'], `"${name}" is a built-in block prefix; choose another name`);
  const expected = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  if (typeof name === 'string' && name !== expected) at(['name'], `name "${name}" must equal the file's name "${expected}"`);
  const openapi = raw.openapi;
  if (typeof openapi !== 'string' || !openapi) at(['openapi'], 'openapi must be the path of the OpenAPI 3.0/3.1 document, relative to the integrations folder');
  else if (openapi.startsWith('/') || /^[a-z]+:/i.test(openapi) || openapi.split(/[\\/]/).includes('..')) {
    at(['openapi'], 'openapi must be a relative path inside the integrations folder (no URL, no absolute path, no "..")');
  }
  const allowPrivate = raw.allow_private === true;
  if (raw.allow_private !== undefined && typeof raw.allow_private !== 'boolean') at(['allow_private'], 'allow_private must be true or false');
  const baseUrl = typeof raw.base_url === 'string' && URL.canParse(raw.base_url) ? new URL(raw.base_url) : null;
  if (!baseUrl || !['https:', 'http:'].includes(baseUrl.protocol)) at(['base_url'], 'base_url must be a full URL such as https://api.example.com/v1');
  else if (baseUrl.protocol !== 'https:' && !allowPrivate)
    at(['base_url'], 'base_url must be https (a private http service needs allow_private: true, which exempts this host only)');
  let credential: IntegrationCredential | undefined;
  if (raw.credential !== undefined) {
    const c = raw.credential as Record<string, unknown>;
    if (!c || typeof c !== 'object') at(['credential'], 'credential is {type, in, name}');
    else {
      for (const key of Object.keys(c)) if (!['type', 'in', 'name'].includes(key)) at(['credential', key], `unknown key "${key}" (type, in, name)`, 'key');
      if (!CREDENTIAL_TYPES.has(String(c.type))) at(['credential', 'type'], 'credential.type must be api_key, oauth2 or user_password');
      if (!CREDENTIAL_IN.has(String(c.in))) at(['credential', 'in'], 'credential.in must be header, query, bearer or basic');
      if ((c.in === 'header' || c.in === 'query') && (typeof c.name !== 'string' || !c.name))
        at(['credential'], `credential.name is the ${String(c.in)} that carries the secret`);
      if (c.in === 'basic' && c.type !== 'user_password') at(['credential', 'in'], 'basic needs a user_password credential');
      credential = {
        type: c.type as IntegrationCredential['type'],
        in: c.in as IntegrationCredential['in'],
        ...(typeof c.name === 'string' ? { name: c.name } : {}),
      };
    }
  }
  let operations: string[] | undefined;
  if (raw.operations !== undefined) {
    if (!Array.isArray(raw.operations) || raw.operations.length === 0 || !raw.operations.every((o) => typeof o === 'string'))
      at(['operations'], 'operations is a list of operationIds (leave it out for every operation)');
    else operations = raw.operations as string[];
  }
  const allow = allowOf(raw.allow, at);
  if (problems.length) return { problems };
  return {
    integration: {
      name: name as string,
      openapi: openapi as string,
      base_url: String(raw.base_url).replace(/\/+$/, ''),
      ...(credential ? { credential } : {}),
      ...(operations ? { operations } : {}),
      allow,
      allow_private: allowPrivate,
    },
    problems,
  };
}

const ALLOW_KEYS = ['file_agents', 'roles', 'users'];

/** `allow` as a credential's (config/credentials.yaml): each key given replaces its default (file agents and admins). */
function allowOf(raw: unknown, at: (path: Array<string | number>, message: string, where?: 'key' | 'value') => unknown): IntegrationAllow {
  const allow: IntegrationAllow = { file_agents: true, roles: ['admin'], users: [] };
  if (raw === undefined) return allow;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    at(['allow'], 'allow is a mapping: { file_agents: true|false, roles: [admin|user], users: [handles] }');
    return allow;
  }
  const given = raw as Record<string, unknown>;
  for (const key of Object.keys(given))
    if (!ALLOW_KEYS.includes(key)) at(['allow', key], `allow.${key} is not a key of allow (its keys: ${ALLOW_KEYS.join(', ')})`, 'key');
  if (given.file_agents !== undefined) {
    if (typeof given.file_agents === 'boolean') allow.file_agents = given.file_agents;
    else at(['allow', 'file_agents'], 'allow.file_agents must be true or false');
  }
  if (given.roles !== undefined) {
    if (Array.isArray(given.roles) && given.roles.every((role) => role === 'admin' || role === 'user')) allow.roles = given.roles as string[];
    else at(['allow', 'roles'], 'allow.roles is a list of roles: admin, user');
  }
  if (given.users !== undefined) {
    if (Array.isArray(given.users) && given.users.every((user) => typeof user === 'string')) allow.users = given.users as string[];
    else at(['allow', 'users'], 'allow.users is a list of user handles');
  }
  return allow;
}
