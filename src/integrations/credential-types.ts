// The secret fields of each credential type (spec/runtime.md "Credentials"), checked at the edge: what a
// caller sends becomes the stored secret object (every value a string, as blocks read them) plus the
// non-secret metadata we may list. Messages name fields, never values.
import type { CredentialType } from '../blocks/block.types.js';
import { escapePointer } from '../common/validation.pipe.js';
import type { Problem } from '../common/errors.js';
import { controlCharacterIn, isSecretField } from '../common/secret-text.js';
import { CREDENTIAL_TYPES, type CredentialMetadata } from './credential.entity.js';

type FieldKind = 'text' | 'url' | 'header_name' | 'port' | 'boolean' | 'time' | 'scopes' | 'email';

interface SecretFieldSpec {
  kind: FieldKind;
  required: boolean;
}

const text = (required = true): SecretFieldSpec => ({ kind: 'text', required });

/** Field name -> spec, per type. Order is the order shown in messages. */
export const SECRET_FIELDS: Record<CredentialType, Record<string, SecretFieldSpec>> = {
  api_key: { key: text() },
  oauth2: {
    access_token: text(),
    refresh_token: text(false),
    expires_at: { kind: 'time', required: false },
    scopes: { kind: 'scopes', required: false },
  },
  user_password: { username: text(), password: text() },
  webhook_secret: { secret: text() },
  secret_url: { url: { kind: 'url', required: true } },
  header: { name: { kind: 'header_name', required: true }, value: text() },
  smtp: {
    host: text(),
    port: { kind: 'port', required: true },
    secure: { kind: 'boolean', required: false },
    username: text(false),
    password: text(false),
    from: { kind: 'email', required: false },
  },
};

/** The stored secret object: field -> string (blocks read `ResolvedCredential.fields`). */
export type SecretFields = Record<string, string>;

export interface CheckedSecrets {
  fields: SecretFields;
  metadata: CredentialMetadata;
}

export function isCredentialType(value: unknown): value is CredentialType {
  return typeof value === 'string' && (CREDENTIAL_TYPES as readonly string[]).includes(value);
}

export function describeFields(type: CredentialType): string {
  const fields = Object.entries(SECRET_FIELDS[type]).map(([name, spec]) => (spec.required ? name : `${name}?`));
  return `{${fields.join(', ')}}`;
}

const FIELD_NAME = /^[a-z][a-z0-9_]{0,40}$/;
const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

/**
 * Checks `secrets` against the type's fields; answers the normalised fields and metadata, or every problem
 * (pointers under `pointerBase`, e.g. `/secrets`).
 */
export function checkSecrets(type: CredentialType, secrets: unknown, pointerBase = '/secrets'): { ok: CheckedSecrets } | { problems: Problem[] } {
  const specs = SECRET_FIELDS[type];
  if (secrets === null || typeof secrets !== 'object' || Array.isArray(secrets)) {
    return { problems: [{ pointer: pointerBase, message: `expected an object with the ${type} fields ${describeFields(type)}` }] };
  }
  const problems: Problem[] = [];
  const fields: SecretFields = {};
  const given = secrets as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(specs, name)) continue;
    // A secret pasted where a field name goes must not come back in the answer: only names that look like field names are shown.
    if (FIELD_NAME.test(name)) {
      problems.push({
        pointer: `${pointerBase}/${escapePointer(name)}`,
        message: `unknown field "${name}" for type ${type}: the fields are ${describeFields(type)}`,
      });
    } else {
      problems.push({
        pointer: pointerBase,
        message: `an unknown field (its name is not shown, in case it is a secret) for type ${type}: the fields are ${describeFields(type)}`,
      });
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const pointer = `${pointerBase}/${escapePointer(name)}`;
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    if (raw === undefined || raw === null || raw === '') {
      if (spec.required) problems.push({ pointer, message: `"${name}" is required for type ${type} ${describeFields(type)}` });
      continue;
    }
    const checked = checkField(spec.kind, raw);
    const control = 'value' in checked && isSecretField(type, name) ? controlCharacterIn(checked.value) : null;
    if ('error' in checked) problems.push({ pointer, message: `"${name}": ${checked.error}` });
    else if (control)
      problems.push({
        pointer,
        message: `"${name}": contains a control character (${control}); a secret may not hold line breaks or other control characters: remove them`,
      });
    else fields[name] = checked.value;
  }
  if (type === 'smtp' && (fields.username === undefined) !== (fields.password === undefined)) {
    problems.push({
      pointer: `${pointerBase}/${fields.username === undefined ? 'username' : 'password'}`,
      message: 'give both "username" and "password", or neither (for a server without authentication)',
    });
  }
  if (problems.length) return { problems };
  if (type === 'smtp' && fields.secure === undefined) fields.secure = fields.port === '465' ? 'true' : 'false';
  return { ok: { fields, metadata: metadataOf(type, fields) } };
}

/** What may be listed about a credential: an OAuth2 credential's scopes and expiry. */
export function metadataOf(type: CredentialType, fields: SecretFields): CredentialMetadata {
  if (type !== 'oauth2') return {};
  const metadata: CredentialMetadata = {};
  if (fields.scopes) metadata.scopes = fields.scopes.split(' ').filter(Boolean);
  if (fields.expires_at) metadata.expires_at = fields.expires_at;
  return metadata;
}

function checkField(kind: FieldKind, raw: unknown): { value: string } | { error: string } {
  switch (kind) {
    case 'text':
      return typeof raw === 'string' ? { value: raw } : { error: `expected text, got ${typeName(raw)}` };
    case 'url': {
      if (typeof raw !== 'string') return { error: `expected a URL, got ${typeName(raw)}` };
      try {
        const url = new URL(raw);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: 'expected an http(s) URL such as https://hooks.slack.com/services/...' };
      } catch {
        return { error: 'expected a URL such as https://hooks.slack.com/services/...' };
      }
      return { value: raw };
    }
    case 'header_name':
      return typeof raw === 'string' && HEADER_TOKEN.test(raw)
        ? { value: raw }
        : { error: 'expected an HTTP header name such as X-Api-Key (letters, digits and - only)' };
    case 'port': {
      const port = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
        ? { value: String(port) }
        : { error: 'expected a port number from 1 to 65535, such as 587' };
    }
    case 'boolean':
      if (raw === true || raw === 'true') return { value: 'true' };
      if (raw === false || raw === 'false') return { value: 'false' };
      return { error: 'expected true or false' };
    case 'time': {
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(Date.parse(raw))) {
        return { error: 'expected an ISO 8601 time such as 2030-01-01T00:00:00Z' };
      }
      return { value: new Date(raw).toISOString() };
    }
    case 'scopes': {
      const list = typeof raw === 'string' ? raw.split(/[\s,]+/) : raw;
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) return { error: 'expected a list of scopes such as ["repo", "read:user"]' };
      return {
        value: list
          .map((s: string) => s.trim())
          .filter(Boolean)
          .join(' '),
      };
    }
    case 'email':
      return typeof raw === 'string' && EMAIL.test(raw.replace(/^.*<(.+)>\s*$/, '$1'))
        ? { value: raw }
        : { error: 'expected an address such as bot@example.com or "Bot <bot@example.com>"' };
  }
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
