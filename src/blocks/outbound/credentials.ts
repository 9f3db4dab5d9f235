// How outside-world blocks read their credential: the resolved one the engine put in the context, else
// the system default the resolver admitted for this run (context.systemDefaults: never the environment
// directly), else a clear error. Secrets never appear in messages: only credential names, fields and types.
import type { BlockContext, CredentialType, ResolvedCredential } from '../block.types.js';
import { BlockError, BlockErrorCode } from '../blocks.errors.js';

export interface CredentialNeed {
  blockId: string;
  field: string;
  types: readonly CredentialType[];
  /** When the node maps no credential: the provider whose system default (default:<provider>) may serve. */
  systemDefault?: string;
}

/** The credential for `need.field`, or undefined when none is mapped and no system default is admitted. */
export function findCredential(context: BlockContext, need: CredentialNeed): ResolvedCredential | undefined {
  const credential = context.credentials[need.field];
  if (credential) {
    if (!need.types.includes(credential.type)) {
      throw new BlockError(
        BlockErrorCode.CREDENTIAL_UNRESOLVED,
        `The credential "${credential.name}" mapped to "${need.field}" is of type ${credential.type}, but block ${need.blockId} takes ${need.types.join(' or ')} there. Map a credential of the right type.`,
        { block: need.blockId, field: need.field, credential: credential.name, type: credential.type, accepted: [...need.types] },
      );
    }
    return credential;
  }
  return need.systemDefault ? context.systemDefaults?.[need.systemDefault] : undefined;
}

/** Like findCredential, but a missing credential is CREDENTIAL_UNRESOLVED saying how to provide one. */
export function requireCredential(context: BlockContext, need: CredentialNeed): ResolvedCredential {
  const credential = findCredential(context, need);
  if (credential) return credential;
  const orDefault = need.systemDefault
    ? `, or use the system default default:${need.systemDefault} where the operator allows it (config/credentials.yaml)`
    : '';
  throw new BlockError(
    BlockErrorCode.CREDENTIAL_UNRESOLVED,
    `Block ${need.blockId} needs a credential (${need.types.join(' or ')}) for "${need.field}": map one in the node (credentials: { ${need.field}: <credential name> })${orDefault}.`,
    { block: need.blockId, field: need.field, accepted: [...need.types] },
  );
}

/** One secret field of a credential, or CREDENTIAL_UNRESOLVED naming the credential and the field. */
export function credentialField(credential: ResolvedCredential, field: string, blockId: string): string {
  const value = credential.fields[field];
  if (typeof value === 'string' && value !== '') return value;
  throw new BlockError(
    BlockErrorCode.CREDENTIAL_UNRESOLVED,
    `The credential "${credential.name}" (${credential.type}) has no "${field}" field, which block ${blockId} needs. Store the credential again with "${field}" set.`,
    { block: blockId, credential: credential.name, field },
  );
}

/** The token of an api_key (`key`) or oauth2 (`access_token`) credential. */
export function bearerToken(credential: ResolvedCredential, blockId: string): string {
  return credentialField(credential, credential.type === 'oauth2' ? 'access_token' : 'key', blockId);
}
