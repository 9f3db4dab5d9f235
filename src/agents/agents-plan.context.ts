// The validator's lookups when a database is at hand (sync, plan, POST /api/graphs, POST
// /api/agents/validate): users, credential names per owner, notification channels and the stored agents
// that documents may call. The data is loaded first (agents-lookups.repository.ts); lookups stay synchronous.
import type { BlockLookup } from '../blocks/block.types.js';
import type { ConfigCredential } from '../config/config.schema.js';
import type { AgentSummary, CredentialCheck, ValidationContext } from '../agent-format/agent.context.js';
import { isDict } from '../agent-format/agent.fields.js';
import type { AgentSource } from '../agent-format/agent.parser.js';
import { AGENT_RUN } from '../agent-format/agent-subagents.rules.js';

export interface StoredCredential {
  provider: string;
  type: string;
}

export interface LookupData {
  /** User handle -> user id, for the handles the documents name (and the default owner). */
  users: ReadonlyMap<string, string>;
  /** User handle -> that user's credentials by name. */
  credentials: ReadonlyMap<string, ReadonlyMap<string, StoredCredential>>;
  configCredentials: Readonly<Record<string, ConfigCredential>>;
  channels: readonly string[];
  /** Stored agents the documents may call (agent.run), by name, and every name for suggestions. */
  catalog: ReadonlyMap<string, AgentSummary>;
  catalogNames: readonly string[];
  /** Whose credentials a document without `owner` uses: `admin` for files, the caller for API graphs. */
  defaultOwner: string;
  /** server.public_url (null: not set), which human.review's links need. */
  publicUrl: string | null;
}

export function databaseValidationContext(blocks: BlockLookup, data: LookupData): ValidationContext {
  return {
    blocks,
    users: { exists: (handle) => data.users.has(handle) },
    channels: { names: () => [...data.channels] },
    publicUrl: data.publicUrl,
    agents: { get: (name) => data.catalog.get(name), names: () => [...data.catalogNames] },
    credentials: {
      describe: "config/credentials.yaml or the owner's credentials",
      check(name, owner): CredentialCheck {
        const handle = owner ?? data.defaultOwner;
        // Resolution order of executions: the owner's own credential first, then config/credentials.yaml.
        const own = data.credentials.get(handle)?.get(name);
        if (own) return { found: true, certain: true, provider: own.provider, type: own.type };
        const configured = data.configCredentials[name];
        if (configured) return { found: true, certain: true, provider: configured.provider, type: configured.type };
        // An owner that is not a user is reported on its own; its credentials cannot be known.
        return { found: false, certain: data.users.has(handle) };
      },
    },
  };
}

/** What the documents name before validation, so lookups load only that: owners and agent.run targets. */
export interface DocumentReferences {
  owners: Set<string>;
  calls: Set<string>;
  /** Names the documents give themselves (or their files imply). */
  names: Set<string>;
}

export function documentReferences(sources: readonly AgentSource[]): DocumentReferences {
  const refs: DocumentReferences = { owners: new Set(), calls: new Set(), names: new Set() };
  for (const source of sources) {
    if (source.expectedName) refs.names.add(source.expectedName);
    const data = source.data;
    if (!isDict(data)) continue;
    if (typeof data.name === 'string') refs.names.add(data.name);
    if (typeof data.owner === 'string') refs.owners.add(data.owner);
    if (!isDict(data.nodes)) continue;
    for (const node of Object.values(data.nodes)) {
      if (!isDict(node) || node.block !== AGENT_RUN || !isDict(node.inputs)) continue;
      if (typeof node.inputs.agent === 'string') refs.calls.add(node.inputs.agent);
    }
  }
  return refs;
}
