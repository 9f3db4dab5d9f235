// Resolves the credential fields of a block run: each field's credential name through the sources in
// order (the user's own database credentials, with a later issue; then config/credentials.yaml), or,
// for an unmapped field, the block's system default from the environment (OPENAI_API_KEY...). Every
// field that cannot be resolved is reported at once, and no secret ever appears in a message.
import type { Problem } from '../common/errors.js';
import type { ConfigCredential } from '../config/config.schema.js';
import type { BlockDefinition, CredentialFieldSpec, CredentialType, ResolvedCredential } from './block.types.js';
import { BlockError, BlockErrorCode } from './blocks.errors.js';
import { didYouMean } from './close-matches.js';

export const CREDENTIAL_RESOLVER = Symbol('CREDENTIAL_RESOLVER');

export interface CredentialRequest {
  block: BlockDefinition;
  /** Credential field -> credential name, as the node (or the execute request) maps them. */
  names: Record<string, string>;
  /** The execution's user: their own credentials come first. */
  userId: string | null;
}

export interface CredentialResolution {
  credentials: Record<string, ResolvedCredential>;
  /** One per field that did not resolve (pointer `/credentials/<field>`). */
  problems: Problem[];
}

export interface CredentialResolver {
  resolve(request: CredentialRequest): Promise<CredentialResolution>;
}

/** A place credentials are found by name (config today; the database behind the same interface later). */
export interface CredentialSource {
  readonly label: string;
  find(name: string, userId: string | null): Promise<ResolvedCredential | undefined>;
  /** Why a found credential cannot be used (a secret not set), or null. */
  unusable?(name: string): string | null;
}

/** Secret fields each type needs. */
const REQUIRED_FIELDS: Record<CredentialType, string[]> = {
  api_key: ['key'],
  oauth2: ['access_token'],
  user_password: ['username', 'password'],
  webhook_secret: ['secret'],
  secret_url: ['url'],
  header: ['name', 'value'],
  smtp: ['host'],
};

/** config/credentials.yaml: global names whose secrets come from environment variables. */
export class ConfigCredentialSource implements CredentialSource {
  readonly label = 'config/credentials.yaml';

  constructor(private readonly credentials: Record<string, ConfigCredential>) {}

  async find(name: string): Promise<ResolvedCredential | undefined> {
    const entry = this.credentials[name];
    if (!entry) return undefined;
    return { name, provider: entry.provider, type: entry.type as CredentialType, fields: { ...entry.fields } };
  }

  unusable(name: string): string | null {
    const entry = this.credentials[name];
    if (!entry) return null;
    const missing = (REQUIRED_FIELDS[entry.type as CredentialType] ?? []).filter((field) => !entry.fields[field]);
    if (!missing.length) return null;
    const vars = missing.map((field) => entry.env[field] ?? `(no variable for ${field})`);
    return `credential "${name}" (config/credentials.yaml) reads ${vars.join(', ')} from the environment, which ${vars.length === 1 ? 'is' : 'are'} not set`;
  }

  names(): string[] {
    return Object.keys(this.credentials);
  }
}

export class ChainedCredentialResolver implements CredentialResolver {
  constructor(
    private readonly sources: CredentialSource[],
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Known names, for "did you mean" (never secrets). */
    private readonly knownNames: () => string[] = () => [],
  ) {}

  async resolve({ block, names, userId }: CredentialRequest): Promise<CredentialResolution> {
    const specs = block.credentials ?? {};
    const credentials: Record<string, ResolvedCredential> = {};
    const problems: Problem[] = [];
    const problem = (field: string, message: string) => problems.push({ pointer: `/credentials/${field}`, message: `${field}: ${message}` });

    for (const field of Object.keys(names)) {
      if (!specs[field]) {
        const fields = Object.keys(specs);
        problem(field, `block ${block.id} has no credential field "${field}" (${fields.length ? `its fields: ${fields.join(', ')}` : 'it takes no credentials'})`);
      }
    }
    for (const [field, spec] of Object.entries(specs)) {
      const name = names[field];
      if (name !== undefined) {
        const found = await this.byName(name, userId);
        if ('problem' in found) problem(field, found.problem);
        else if (!spec.types.includes(found.credential.type)) {
          problem(field, `credential "${name}" is of type ${found.credential.type}, but ${block.id} needs ${spec.types.join(' or ')} here`);
        } else credentials[field] = found.credential;
        continue;
      }
      const fallback = this.systemDefault(field, spec);
      if (fallback) credentials[field] = fallback;
      else if (!spec.optional) {
        const env = spec.systemDefaultEnv ? `, or set ${spec.systemDefaultEnv} for a system default` : '';
        problem(field, `${block.id} needs a ${spec.provider} credential (${spec.types.join(' or ')}): map it to a credential name (credentials: { ${field}: <name> })${env}`);
      }
    }
    return { credentials, problems };
  }

  private async byName(name: string, userId: string | null): Promise<{ credential: ResolvedCredential } | { problem: string }> {
    for (const source of this.sources) {
      const credential = await source.find(name, userId);
      if (!credential) continue;
      const why = source.unusable?.(name);
      return why ? { problem: why } : { credential };
    }
    return {
      problem: `no credential named "${name}" exists for you.${didYouMean(name, this.knownNames())} Create it (POST /api/integrations/credentials) or define it in config/credentials.yaml`,
    };
  }

  private systemDefault(field: string, spec: CredentialFieldSpec): ResolvedCredential | undefined {
    const variable = spec.systemDefaultEnv;
    const value = variable ? this.env[variable]?.trim() : undefined;
    if (!variable || !value) return undefined;
    const type = spec.types[0]!;
    const fields = systemDefaultFields(type, value);
    if (!fields) return undefined;
    return { name: `env:${variable}`, provider: spec.provider, type, fields };
  }
}

/** Resolves, or throws CREDENTIAL_UNRESOLVED (400 on the API) listing every unresolved field. */
export async function resolveCredentialsOrThrow(resolver: CredentialResolver, request: CredentialRequest): Promise<Record<string, ResolvedCredential>> {
  const { credentials, problems } = await resolver.resolve(request);
  if (problems.length) throw unresolved(request.block.id, problems);
  return credentials;
}

export function unresolved(blockId: string, problems: Problem[]): BlockError {
  return new BlockError(
    BlockErrorCode.CREDENTIAL_UNRESOLVED,
    `Block ${blockId} cannot run: ${problems.length} credential field${problems.length === 1 ? '' : 's'} did not resolve: ${problems.map((p) => p.message).join('; ')}`,
    { block: blockId, problems },
  );
}

/** The secret fields of a system default read from one environment variable. */
function systemDefaultFields(type: CredentialType, value: string): Record<string, string> | undefined {
  switch (type) {
    case 'api_key':
      return { key: value };
    case 'oauth2':
      return { access_token: value };
    case 'webhook_secret':
      return { secret: value };
    case 'secret_url':
      return { url: value };
    case 'smtp':
      return smtpFields(value);
    default:
      return undefined;
  }
}

/** `smtp(s)://user:password@host:port?from=addr` (SMTP_URL) -> the smtp credential's fields. */
export function smtpFields(url: string): Record<string, string> | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') return undefined;
  const secure = parsed.protocol === 'smtps:';
  const fields: Record<string, string> = {
    host: parsed.hostname,
    port: parsed.port || (secure ? '465' : '587'),
    secure: String(secure),
  };
  if (parsed.username) fields.username = decodeURIComponent(parsed.username);
  if (parsed.password) fields.password = decodeURIComponent(parsed.password);
  const from = parsed.searchParams.get('from');
  if (from) fields.from = from;
  return fields;
}
