// Bodies and answers of /api/integrations: each body is checked whole, so a 400 lists every problem with
// a JSON Pointer (including each secret field's), and the answers carry metadata only, never a secret.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CredentialType } from '../blocks/block.types.js';
import { parseHostEntry } from '../common/credential-hosts.js';
import { validationFailed, type Problem } from '../common/errors.js';
import { escapePointer } from '../common/validation.pipe.js';
import { CREDENTIAL_TYPES, type CredentialEntity, type CredentialMetadata } from './credential.entity.js';
import { checkSecrets, isCredentialType, type CheckedSecrets } from './credential-types.js';

/** Credential names as agent files write them (`credentials: { github: github-bot }`). */
export const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

const HOSTS_DOC =
  'Where the credential may be sent: exact host names or *.example.com, over https on port 443 unless an entry says http:// or a port. Without it, it goes wherever its block sends it.';

const NAME_RULE = 'expected a name of letters, digits, "_", "." and "-" (at most 100, starting with a letter or digit), such as "github-bot"';

export class CreateCredentialDto {
  @ApiProperty({ example: 'openai-main', pattern: CREDENTIAL_NAME.source })
  name!: string;

  @ApiProperty({ example: 'openai', description: 'openai, anthropic, github, smtp, slack, http, ...' })
  provider!: string;

  @ApiProperty({ enum: CREDENTIAL_TYPES })
  type!: CredentialType;

  @ApiProperty({
    example: { key: 'sk-...' },
    description:
      'The secret fields of the type: api_key {key}; oauth2 {access_token, refresh_token?, expires_at?, scopes?}; user_password {username, password}; ' +
      'webhook_secret {secret}; secret_url {url}; header {name, value}; smtp {host, port, secure?, username?, password?, from?}',
  })
  secrets!: Record<string, unknown>;

  @ApiPropertyOptional({ example: ['api.example.com', '*.example.com'], description: HOSTS_DOC })
  hosts?: string[];
}

export class ReplaceCredentialDto {
  @ApiProperty({ example: { key: 'sk-new...' }, description: "Every secret field of the credential's type (the old ones are replaced, not merged)" })
  secrets!: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], nullable: true, example: ['api.example.com'], description: `${HOSTS_DOC} Left out: unchanged; null: anywhere again.` })
  hosts?: string[] | null;
}

export class OAuthLoginDto {
  @ApiProperty({ example: 'github-oauth', pattern: CREDENTIAL_NAME.source, description: 'The name the new oauth2 credential will have' })
  name!: string;
}

export interface CreateCredentialInput {
  name: string;
  provider: string;
  type: CredentialType;
  secrets: CheckedSecrets;
  hosts: string[] | null;
}

export interface ReplaceCredentialInput {
  secrets: CheckedSecrets;
  /** Undefined: keep the stored list. */
  hosts?: string[] | null;
}

export function parseCreateCredential(body: unknown): CreateCredentialInput {
  const problems: Problem[] = [];
  const object = asObject(body, ['name', 'provider', 'type', 'secrets', 'hosts'], problems);
  const name = checkName(object.name, '/name', problems);
  const provider = checkProvider(object.provider, problems);
  let type: CredentialType | null = null;
  if (object.type === undefined) problems.push({ pointer: '/type', message: `"type" is required: one of ${CREDENTIAL_TYPES.join(', ')}` });
  else if (!isCredentialType(object.type))
    problems.push({ pointer: '/type', message: `unknown type ${JSON.stringify(object.type)}: expected one of ${CREDENTIAL_TYPES.join(', ')}` });
  else type = object.type;
  let secrets: CheckedSecrets | null = null;
  if (object.secrets === undefined) problems.push({ pointer: '/secrets', message: '"secrets" is required: an object with the secret fields of the type' });
  else if (type) {
    const checked = checkSecrets(type, object.secrets);
    if ('problems' in checked) problems.push(...checked.problems);
    else secrets = checked.ok;
  }
  const hosts = object.hosts === undefined ? null : checkHosts(object.hosts, problems);
  if (problems.length || !name || !provider || !type || !secrets) throw validationFailed(problems);
  return { name, provider, type, secrets, hosts };
}

/** The new secret of an existing credential of `type`. */
export function parseReplaceCredential(body: unknown, type: CredentialType): ReplaceCredentialInput {
  const problems: Problem[] = [];
  const object = asObject(body, ['secrets', 'hosts'], problems);
  const hosts = object.hosts === undefined || object.hosts === null ? object.hosts : checkHosts(object.hosts, problems);
  if (object.secrets === undefined) problems.push({ pointer: '/secrets', message: '"secrets" is required: every secret field of the credential\'s type' });
  else {
    const checked = checkSecrets(type, object.secrets);
    if ('problems' in checked) problems.push(...checked.problems);
    else if (!problems.length) return { secrets: checked.ok, ...(hosts !== undefined ? { hosts } : {}) };
  }
  throw validationFailed(problems);
}

function checkHosts(value: unknown, problems: Problem[]): string[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({
      pointer: '/hosts',
      message:
        'expected a non-empty list of hosts such as ["api.example.com", "*.example.com"] (leave it out to send the credential wherever its block sends it)',
    });
    return null;
  }
  const hosts: string[] = [];
  value.forEach((entry, index) => {
    const parsed = typeof entry === 'string' ? parseHostEntry(entry) : { error: 'expected a host name such as api.example.com' };
    if ('error' in parsed) problems.push({ pointer: `/hosts/${index}`, message: parsed.error });
    else hosts.push(entry.trim());
  });
  return hosts;
}

export function parseOAuthLogin(body: unknown): { name: string } {
  const problems: Problem[] = [];
  const object = asObject(body, ['name'], problems);
  const name = checkName(object.name, '/name', problems);
  if (problems.length || !name) throw validationFailed(problems);
  return { name };
}

/** A credential name taken from a path segment; a malformed one is a 400 too. */
export function parseNameParam(name: string): string {
  const problems: Problem[] = [];
  const checked = checkName(name, '/name', problems);
  if (!checked) throw validationFailed(problems.map((p) => ({ ...p, message: `the credential name in the path: ${p.message}` })));
  return checked;
}

export interface CredentialView {
  name: string;
  provider: string;
  type: CredentialType;
  /** Non-secret facts: an OAuth2 credential's scopes and expiry. */
  metadata: CredentialMetadata;
  /** Where it may be sent; null: wherever its block sends it. */
  hosts: string[] | null;
  /** Increases with every change of the secret (rotation, refresh). */
  version: number;
  created_at: string;
  updated_at: string;
}

export function credentialView(entity: CredentialEntity): CredentialView {
  return {
    name: entity.name,
    provider: entity.provider,
    type: entity.type,
    metadata: { ...entity.metadata },
    hosts: entity.hosts ?? null,
    version: entity.version,
    created_at: new Date(entity.created_at).toISOString(),
    updated_at: new Date(entity.updated_at).toISOString(),
  };
}

function asObject(body: unknown, known: string[], problems: Problem[]): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    problems.push({ pointer: '', message: `expected a JSON object with ${known.map((k) => `"${k}"`).join(', ')} (Content-Type: application/json)` });
    return {};
  }
  const object = body as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!known.includes(key))
      problems.push({ pointer: `/${escapePointer(key)}`, message: `unknown field "${key}": remove it (the fields are ${known.join(', ')})` });
  }
  return object;
}

function checkName(value: unknown, pointer: string, problems: Problem[]): string | null {
  if (value === undefined) {
    problems.push({ pointer, message: `"name" is required: ${NAME_RULE}` });
    return null;
  }
  if (typeof value !== 'string' || !CREDENTIAL_NAME.test(value)) {
    problems.push({ pointer, message: NAME_RULE });
    return null;
  }
  return value;
}

function checkProvider(value: unknown, problems: Problem[]): string | null {
  if (value === undefined) {
    problems.push({ pointer: '/provider', message: '"provider" is required, such as openai, anthropic, github, smtp, slack or http' });
    return null;
  }
  if (typeof value !== 'string' || !PROVIDER_NAME.test(value)) {
    problems.push({ pointer: '/provider', message: 'expected a provider in lower case letters, digits, "_" and "-", such as openai, github or http' });
    return null;
  }
  return value;
}
