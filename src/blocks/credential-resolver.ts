// Resolves the credential fields of a block run: each field's credential name through the sources in
// order (the user's own database credentials, then config/credentials.yaml), or, for an unmapped field,
// the operator's system default of its provider (`default:openai`...). Operator credentials resolve only
// for whom their `allow` admits (credential-policy.ts); one that may not be used resolves exactly like
// one that does not exist. Every unresolved field is reported at once; no secret appears in a message.
import type { Problem } from '../common/errors.js';
import type { ConfigCredential } from '../config/config.schema.js';
import type { BlockDefinition, CredentialType, ResolvedCredential } from './block.types.js';
import { BlockError, BlockErrorCode } from './blocks.errors.js';
import { didYouMean } from './close-matches.js';
import { mayUseBlock, mayUseOperatorCredential, NOBODY, type CredentialAsker } from './credential-policy.js';

export const CREDENTIAL_RESOLVER = Symbol('CREDENTIAL_RESOLVER');

export interface CredentialRequest {
  block: BlockDefinition;
  /** Credential field -> credential name, as the node (or the execute request) maps them. */
  names: Record<string, string>;
  /** The execution's user: their own credentials come first. */
  userId: string | null;
  /**
   * Fields whose name the agent file itself gives (or leaves to a system default), in an execution
   * admitted by file trust: operator credentials with `allow.file_agents` resolve for them.
   */
  fileTrusted?: readonly string[];
  /**
   * The node comes from a file agent in an execution admitted by file trust: an integration's block with
   * `allow.file_agents` may run (credential-policy.ts mayUseBlock).
   */
  fromFile?: boolean;
  /** Who asks (handle and role of `userId`); the database resolver fills it in. */
  asker?: CredentialAsker;
}

export interface CredentialResolution {
  credentials: Record<string, ResolvedCredential>;
  /** One per field that did not resolve (pointer `/credentials/<field>`). */
  problems: Problem[];
  /** Provider -> system default admitted for an unmapped field (BlockContext.systemDefaults). */
  systemDefaults?: Record<string, ResolvedCredential>;
}

export interface CredentialResolver {
  resolve(request: CredentialRequest): Promise<CredentialResolution>;
}

/** A place credentials are found by name: the user's own (database), then the operator's (config). */
export interface CredentialSource {
  readonly label: string;
  /** Undefined when absent, or (operator credentials) when `asker` may not use it: the two look the same. */
  find(name: string, userId: string | null, asker: CredentialAsker, viaFile: boolean): Promise<ResolvedCredential | undefined>;
  /** Why a found credential cannot be used (a secret not set), or null. */
  unusable?(name: string): string | null;
  /** Names `asker` may use, for "did you mean" (never secrets). */
  knownNames?(asker: CredentialAsker): string[];
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

/** config/credentials.yaml and the system defaults: the operator's credentials, each with who may use it. */
export class ConfigCredentialSource implements CredentialSource {
  readonly label = 'config/credentials.yaml';

  constructor(private readonly credentials: Record<string, ConfigCredential>) {}

  async find(name: string, _userId: string | null, asker: CredentialAsker, viaFile: boolean): Promise<ResolvedCredential | undefined> {
    const entry = Object.hasOwn(this.credentials, name) ? this.credentials[name] : undefined;
    if (!entry || !mayUseOperatorCredential(entry.allow, asker, viaFile)) return undefined;
    return toResolved(name, entry);
  }

  unusable(name: string): string | null {
    const entry = this.credentials[name];
    if (!entry) return null;
    const required = entry.type === 'smtp' && entry.fields.url ? [] : (REQUIRED_FIELDS[entry.type as CredentialType] ?? []);
    const missing = required.filter((field) => !entry.fields[field]);
    if (!missing.length) return null;
    const vars = missing.map((field) => entry.env[field] ?? `(no variable for ${field})`);
    return `credential "${name}" (config/credentials.yaml) reads ${vars.join(', ')} from the environment, which ${vars.length === 1 ? 'is' : 'are'} not set`;
  }

  knownNames(asker: CredentialAsker): string[] {
    return Object.entries(this.credentials)
      .filter(([, entry]) => mayUseOperatorCredential(entry.allow, asker, false))
      .map(([name]) => name);
  }

  /** The system default of `provider` when it is set and `asker` may use it. */
  systemDefault(provider: string, asker: CredentialAsker, viaFile: boolean): ResolvedCredential | undefined {
    const name = `default:${provider}`;
    const entry = this.credentials[name];
    if (!entry?.system || Object.keys(entry.fields).length === 0 || !mayUseOperatorCredential(entry.allow, asker, viaFile)) return undefined;
    return toResolved(name, entry);
  }

  /** Whether `name` is an operator credential `asker` may use (the credentials API's 409). */
  usableBy(name: string, asker: CredentialAsker): boolean {
    const entry = Object.hasOwn(this.credentials, name) ? this.credentials[name] : undefined;
    return entry !== undefined && mayUseOperatorCredential(entry.allow, asker, false);
  }
}

function toResolved(name: string, entry: ConfigCredential): ResolvedCredential {
  return { name, provider: entry.provider, type: entry.type as CredentialType, fields: { ...entry.fields }, hosts: [...entry.hosts] };
}

export class ChainedCredentialResolver implements CredentialResolver {
  constructor(
    private readonly sources: CredentialSource[],
    /** The operator's system defaults (default:openai...); null: none. */
    private readonly defaults: ConfigCredentialSource | null,
  ) {}

  async resolve({ block, names, userId, fileTrusted = [], fromFile = false, asker = { ...NOBODY, userId } }: CredentialRequest): Promise<CredentialResolution> {
    // An integration's block its `allow` does not admit: refused as a block that does not exist.
    if (!mayUseBlock(block, asker, fromFile)) return { credentials: {}, problems: [{ pointer: '/block', message: blockAbsent(block.id) }] };
    const specs = block.credentials ?? {};
    const credentials: Record<string, ResolvedCredential> = {};
    const systemDefaults: Record<string, ResolvedCredential> = {};
    const problems: Problem[] = [];
    const problem = (field: string, message: string) => problems.push({ pointer: `/credentials/${field}`, message: `${field}: ${message}` });

    for (const field of Object.keys(names)) {
      if (!specs[field]) {
        const fields = Object.keys(specs);
        problem(
          field,
          `block ${block.id} has no credential field "${field}" (${fields.length ? `its fields: ${fields.join(', ')}` : 'it takes no credentials'})`,
        );
      }
    }
    for (const [field, spec] of Object.entries(specs)) {
      const name = names[field];
      const viaFile = fileTrusted.includes(field);
      const providers = spec.providers ?? [spec.provider];
      if (name !== undefined) {
        const found = await this.byName(name, userId, asker, viaFile);
        if ('problem' in found) problem(field, found.problem);
        else if (!spec.types.includes(found.credential.type)) {
          problem(field, `credential "${name}" is of type ${found.credential.type}, but ${block.id} needs ${spec.types.join(' or ')} here`);
        } else if (found.operator && !providers.includes(found.credential.provider)) {
          problem(field, `credential "${name}" is for ${found.credential.provider}, but ${block.id} takes ${providers.join(' or ')} credentials here`);
        } else credentials[field] = found.credential;
        continue;
      }
      for (const provider of providers) {
        const fallback = this.defaults?.systemDefault(provider, asker, viaFile);
        if (fallback) systemDefaults[provider] = fallback;
      }
      const fallback = spec.systemDefaultEnv && !spec.providers ? systemDefaults[spec.provider] : undefined;
      if (fallback) credentials[field] = fallback;
      else if (!spec.optional) {
        const env = spec.systemDefaultEnv ? `, or set ${spec.systemDefaultEnv} for a system default` : '';
        problem(
          field,
          `${block.id} needs a ${spec.provider} credential (${spec.types.join(' or ')}): map it to a credential name (credentials: { ${field}: <name> })${env}`,
        );
      }
    }
    return { credentials, problems, ...(Object.keys(systemDefaults).length ? { systemDefaults } : {}) };
  }

  private async byName(
    name: string,
    userId: string | null,
    asker: CredentialAsker,
    viaFile: boolean,
  ): Promise<{ credential: ResolvedCredential; operator: boolean } | { problem: string }> {
    for (const source of this.sources) {
      const credential = await source.find(name, userId, asker, viaFile);
      if (!credential) continue;
      const why = source.unusable?.(name);
      return why ? { problem: why } : { credential, operator: source instanceof ConfigCredentialSource };
    }
    const known = this.sources.flatMap((source) => source.knownNames?.(asker) ?? []);
    return {
      problem: `no credential named "${name}" exists for you.${didYouMean(name, known)} Create it (POST /api/integrations/credentials) or define it in config/credentials.yaml`,
    };
  }
}

/** The refusal of a block the asker may not use: the words of a block that does not exist. */
export function blockAbsent(blockId: string): string {
  return `block "${blockId}" does not exist (list the blocks with \`trellis blocks\`)`;
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
