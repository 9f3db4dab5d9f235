// Credential resolution for block runs and executions, behind the blocks' CredentialResolver interface
// (src/blocks/credential-resolver.ts): the execution user's own database credentials first (decrypted,
// OAuth2 tokens refreshed before use), then config/credentials.yaml, then, for an unmapped field, the
// system default of its provider; operator credentials only for whom their `allow` admits (the asker's
// handle and role are read here). Every unresolved field is reported at once; results live in memory
// only and serialise without their secrets.
import { inspect } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import type { BlockDefinition, CredentialType, ResolvedCredential } from '../blocks/block.types.js';
import {
  ChainedCredentialResolver,
  ConfigCredentialSource,
  type CredentialRequest,
  type CredentialResolution,
  type CredentialResolver,
  type CredentialSource,
} from '../blocks/credential-resolver.js';
import type { CredentialAsker } from '../blocks/credential-policy.js';
import type { Problem } from '../common/errors.js';
import { escapePointer } from '../common/validation.pipe.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { CredentialEntity } from './credential.entity.js';
import { credentialsUnresolved } from './credentials.errors.js';
import { CredentialsRepository } from './credentials.repository.js';
import { CryptoService } from './crypto.service.js';
import { DecryptError } from './encryption.js';
import { OAuthRefresher, RefreshFailedError } from './oauth2.refresher.js';

/**
 * A resolved credential that never serialises its secret: JSON (logs, stored inputs, API answers) and
 * util.inspect show the name, provider and type only. Blocks read `fields` as usual.
 */
export class ProtectedCredential implements ResolvedCredential {
  readonly name: string;
  readonly provider: string;
  readonly type: CredentialType;
  readonly fields: Record<string, string>;
  readonly hosts?: readonly string[];
  readonly refresh?: (rejectedAccessToken: string) => Promise<ResolvedCredential>;

  constructor(credential: ResolvedCredential) {
    this.name = credential.name;
    this.provider = credential.provider;
    this.type = credential.type;
    this.fields = Object.freeze({ ...credential.fields });
    if (credential.hosts) this.hosts = Object.freeze([...credential.hosts]);
    const refresh = credential.refresh?.bind(credential);
    if (refresh) this.refresh = async (rejected) => new ProtectedCredential(await refresh(rejected));
  }

  toJSON(): Record<string, string> {
    return { name: this.name, provider: this.provider, type: this.type, fields: '[redacted]' };
  }

  [inspect.custom](): string {
    return `ResolvedCredential { name: ${JSON.stringify(this.name)}, provider: ${JSON.stringify(this.provider)}, type: ${this.type}, fields: [redacted] }`;
  }
}

/** One node of an execution to resolve. */
export interface NodeCredentialRequest {
  nodeId: string;
  block: BlockDefinition;
  names: Record<string, string>;
}

@Injectable()
export class CredentialsResolver implements CredentialResolver {
  private readonly config: ConfigCredentialSource;
  private readonly oauthHosts: OAuthHosts;

  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly crypto: CryptoService,
    private readonly refresher: OAuthRefresher,
    @Inject(APP_CONFIG) appConfig: AppConfig,
  ) {
    this.config = new ConfigCredentialSource(appConfig.credentials);
    this.oauthHosts = oauthHostsOf(appConfig);
  }

  /** One block run: every field resolved, or a problem per field (pointer `/credentials/<field>`). */
  async resolve(request: CredentialRequest): Promise<CredentialResolution> {
    const database = new UserCredentialSource(request.userId, this.credentials, this.crypto, this.refresher, this.oauthHosts);
    return this.resolveWith(database, { ...request, asker: request.asker ?? (await this.asker(request.userId)) });
  }

  /** Who asks: the user's handle and role (an unknown user is nobody). */
  async asker(userId: string | null): Promise<CredentialAsker> {
    const user = userId === null ? null : await this.credentials.userRole(userId);
    return { userId, handle: user?.handle ?? null, role: user?.role ?? null };
  }

  /** Whether `name` is an operator credential this user may use (creating a database credential of that name is then a 409). */
  async operatorNameUsable(userId: string, name: string): Promise<boolean> {
    return this.config.usableBy(name, await this.asker(userId));
  }

  /**
   * Every node of an execution before it starts: credentials per node, or CREDENTIAL_UNRESOLVED (400)
   * naming each unresolved node, field and credential name.
   */
  async resolveNodes(userId: string | null, nodes: readonly NodeCredentialRequest[]): Promise<Record<string, Record<string, ResolvedCredential>>> {
    const database = new UserCredentialSource(userId, this.credentials, this.crypto, this.refresher, this.oauthHosts);
    const asker = await this.asker(userId);
    const resolved: Record<string, Record<string, ResolvedCredential>> = {};
    const problems: Problem[] = [];
    for (const node of nodes) {
      const { credentials, problems: nodeProblems } = await this.resolveWith(database, { block: node.block, names: node.names, userId, asker });
      resolved[node.nodeId] = credentials;
      for (const problem of nodeProblems) {
        problems.push({
          node: node.nodeId,
          pointer: `/nodes/${escapePointer(node.nodeId)}${problem.pointer ?? ''}`,
          message: `node "${node.nodeId}" (${node.block.id}), field ${problem.message}`,
        });
      }
    }
    if (problems.length) throw credentialsUnresolved(problems);
    return resolved;
  }

  private async resolveWith(database: UserCredentialSource, request: CredentialRequest): Promise<CredentialResolution> {
    const chain = new ChainedCredentialResolver([database, this.config], this.config);
    const resolution = await chain.resolve(request);
    const protect = (map: Record<string, ResolvedCredential>) =>
      Object.fromEntries(Object.entries(map).map(([key, credential]) => [key, new ProtectedCredential(credential)]));
    return {
      credentials: protect(resolution.credentials),
      problems: resolution.problems,
      ...(resolution.systemDefaults ? { systemDefaults: protect(resolution.systemDefaults) } : {}),
    };
  }
}

/**
 * The execution user's own credentials, for one resolution: loaded in one query on first use, each
 * decrypted (and refreshed) once. A credential that exists but cannot be used is "found" with no fields
 * and `unusable` says why, so the chain reports it instead of falling through to config.
 */
class UserCredentialSource implements CredentialSource {
  readonly label = 'your credentials';
  private rows: Promise<Map<string, CredentialEntity>> | null = null;
  private loadedNames: string[] = [];
  private readonly opened = new Map<string, Promise<ResolvedCredential>>();
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly userId: string | null,
    private readonly repository: CredentialsRepository,
    private readonly crypto: CryptoService,
    private readonly refresher: OAuthRefresher,
    private readonly oauthHosts: OAuthHosts,
  ) {}

  async find(name: string): Promise<ResolvedCredential | undefined> {
    if (this.userId === null) return undefined;
    const row = (await this.load(this.userId)).get(name);
    if (!row) return undefined;
    let pending = this.opened.get(name);
    if (!pending) {
      pending = this.open(row);
      this.opened.set(name, pending);
    }
    return pending;
  }

  unusable(name: string): string | null {
    return this.failures.get(name) ?? null;
  }

  knownNames(): string[] {
    return this.loadedNames;
  }

  /** The token after an API rejected `rejected`: reread (another caller may have refreshed), else refreshed. */
  private async refreshRejected(entity: CredentialEntity, base: Omit<ResolvedCredential, 'fields'>, rejected: string): Promise<ResolvedCredential> {
    try {
      const stored = await this.refresher.reread(entity);
      const renewed = await this.refresher.refreshRejected(stored, rejected);
      return { ...base, fields: renewed.fields, refresh: (again) => this.refreshRejected(renewed.entity, base, again) };
    } catch (error) {
      throw new Error(failureReason(entity, error), { cause: error });
    }
  }

  private load(userId: string): Promise<Map<string, CredentialEntity>> {
    this.rows ??= this.repository.listForUser(userId).then((rows) => {
      this.loadedNames = rows.map((row) => row.name);
      return new Map(rows.map((row) => [row.name, row]));
    });
    return this.rows;
  }

  private async open(row: CredentialEntity): Promise<ResolvedCredential> {
    // An oauth2 token without hosts of its own goes where its provider's config says (integrations.oauth2.<p>.hosts).
    const hosts = row.hosts ?? (row.type === 'oauth2' ? this.oauthHosts(row.provider) : undefined);
    const base = { name: row.name, provider: row.provider, type: row.type, ...(hosts ? { hosts } : {}) };
    try {
      const fields = this.crypto.openFields(row.ciphertext, row.user_id, row.name);
      const fresh = await this.refresher.fresh({ entity: row, fields });
      if (row.type === 'oauth2') return { ...base, fields: fresh.fields, refresh: (rejected) => this.refreshRejected(fresh.entity, base, rejected) };
      return { ...base, fields: fresh.fields };
    } catch (error) {
      this.failures.set(row.name, failureReason(row, error));
      return { ...base, fields: {} };
    }
  }
}

/** Provider -> its configured `hosts`, when the config lists them. */
type OAuthHosts = (provider: string) => string[] | undefined;

function oauthHostsOf(config: AppConfig): OAuthHosts {
  return (provider) => {
    const all = config.integrations.oauth2 ?? {};
    const hosts = Object.hasOwn(all, provider) ? all[provider]?.hosts : undefined;
    return Array.isArray(hosts) && hosts.every((h) => typeof h === 'string') ? hosts : undefined;
  };
}

function failureReason(row: CredentialEntity, error: unknown): string {
  if (error instanceof RefreshFailedError) return `your oauth2 credential "${row.name}" ${error.message}`;
  if (error instanceof DecryptError) {
    return `your credential "${row.name}" cannot be decrypted (${error.message}). An admin must restore that key in TRELLIS_ENCRYPTION_KEYS_OLD, or store the secret again (PUT /api/integrations/credentials/${encodeURIComponent(row.name)})`;
  }
  throw error;
}
