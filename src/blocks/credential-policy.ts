// Who may use an operator credential (config/credentials.yaml and the system defaults): the pure rule.
// A user's own database credentials are not checked here: they resolve only for their owner.
import type { CredentialAllow } from '../config/config.schema.js';
import type { BlockDefinition, BlockLookup } from './block.types.js';

export const DEFAULT_ALLOW: CredentialAllow = { file_agents: true, roles: ['admin'], users: [] };

/** An `allow` section: an operator credential's, or an OpenAPI integration's (its blocks). */
export interface AllowRule {
  readonly file_agents: boolean;
  readonly roles: readonly string[];
  readonly users: readonly string[];
}

/** Who is asking for a credential: the execution's user (or the caller of a block run). */
export interface CredentialAsker {
  userId: string | null;
  handle: string | null;
  role: 'admin' | 'user' | null;
  /** The operator's own configuration asks (config/notifications.yaml channels, notifications.smtp). */
  operator?: boolean;
}

export const NOBODY: CredentialAsker = { userId: null, handle: null, role: null };
export const OPERATOR: CredentialAsker = { userId: null, handle: null, role: null, operator: true };

/**
 * `viaFile`: the name comes from a file agent's own node definition, in an execution admitted by file
 * trust (its own trigger, an admin, or an admitted parent; the active version). Otherwise the user's
 * handle and role decide, exactly as for an API graph.
 */
export function mayUseOperatorCredential(allow: AllowRule, asker: CredentialAsker, viaFile: boolean): boolean {
  if (asker.operator || (viaFile && allow.file_agents)) return true;
  if (asker.role !== null && allow.roles.includes(asker.role)) return true;
  return asker.handle !== null && allow.users.includes(asker.handle);
}

/**
 * Whether `asker` may list, validate or run `block`: an integration's block by its integration's `allow`,
 * exactly the operator credential rule above (`viaFile`: a file agent's node, in an execution admitted by
 * file trust); every other block, always. A block `asker` may not use reads as one that does not exist.
 */
export function mayUseBlock(block: BlockDefinition, asker: CredentialAsker, viaFile: boolean): boolean {
  return block.allow === undefined || mayUseOperatorCredential(block.allow, asker, viaFile);
}

/** The blocks `asker` may use (outside file trust): the others are absent, ids and suggestions alike. */
export function blocksUsableBy(blocks: BlockLookup, asker: CredentialAsker): BlockLookup {
  return {
    get: (id) => {
      const block = blocks.get(id);
      return block && mayUseBlock(block, asker, false) ? block : undefined;
    },
    list: () => blocks.list().filter((block) => mayUseBlock(block, asker, false)),
  };
}
