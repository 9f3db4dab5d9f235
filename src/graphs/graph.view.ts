// The Graph shape of the API (spec/interfaces.md "Shapes"): one version of a graph, in the agent format,
// with where it came from. Extra agent settings (concurrency, timeout, notify, tests) are included when
// set, so a client can GET a graph, change it and PUT it back.
import { linkDocument, nodesDocument, toAgentDocument, triggerViews, type LinkDocument, type NodeDocument, type TriggerView } from './graph.document.js';
import type { GraphRow, VersionRow, VersionSummary } from './graphs.repository.js';
import type { GraphSource } from '../agent-format/graph.types.js';

export interface GraphView {
  id: string;
  description: string | null;
  source: GraphSource;
  active: boolean;
  /** The version shown (the active one unless ?version=N). */
  version: number;
  active_version: number;
  pinned_version: number | null;
  /** How many versions exist (1 to this). */
  versions: number;
  file: string | null;
  commit: string | null;
  hash: string;
  /** Handle of the user billed for trigger runs. */
  owner: string | null;
  concurrency?: number;
  timeout?: string;
  max_parallel?: number;
  notify?: unknown;
  nodes: Record<string, NodeDocument>;
  links: LinkDocument[];
  triggers: TriggerView[];
  tests?: unknown;
  created_at: string;
  updated_at: string;
}

/** Keys of the view that are not part of the agent format (PUT ignores them, for GET-edit-PUT). */
export const VIEW_ONLY_KEYS = [
  'id',
  'source',
  'active',
  'version',
  'active_version',
  'pinned_version',
  'versions',
  'file',
  'commit',
  'hash',
  'triggers',
  'created_at',
  'updated_at',
] as const;

/** `disabled`: node id -> why the server disabled that trigger of this version (graph-triggers.repository.ts). */
export function graphView(graph: GraphRow, version: VersionRow, isTrigger: (block: string) => boolean, disabled?: ReadonlyMap<string, string>): GraphView {
  const definition = version.definition;
  const doc = toAgentDocument(definition);
  const view: GraphView = {
    id: graph.id,
    description: definition.description ?? null,
    source: graph.source,
    active: graph.active,
    version: version.version,
    active_version: graph.active_version,
    pinned_version: graph.pinned_version,
    versions: graph.latest_version,
    // The file to edit now for the active version (it may have moved since); the version's own path otherwise.
    file: graph.source === 'file' && version.version === graph.active_version ? graph.file : version.file,
    commit: version.commit,
    hash: version.hash,
    owner: definition.owner ?? graph.owner_handle ?? (graph.source === 'file' ? 'admin' : null),
    nodes: nodesDocument(definition),
    links: definition.links.map(linkDocument),
    triggers: triggerViews(definition, isTrigger, disabled),
    created_at: graph.created_at.toISOString(),
    updated_at: graph.updated_at.toISOString(),
  };
  for (const key of ['concurrency', 'timeout', 'max_parallel', 'notify', 'tests'] as const) {
    if (doc[key] !== undefined) (view as unknown as Record<string, unknown>)[key] = doc[key];
  }
  return view;
}

export interface VersionView {
  version: number;
  hash: string;
  file: string | null;
  commit: string | null;
  /** Handle of the user who made it through the API; null for versions synced from files. */
  created_by: string | null;
  active: boolean;
  pinned: boolean;
  created_at: string;
}

export function versionView(version: VersionSummary, graph: GraphRow): VersionView {
  return {
    version: version.version,
    hash: version.hash,
    file: version.file,
    commit: version.commit,
    created_by: version.created_by_handle,
    active: graph.active && graph.active_version === version.version,
    pinned: graph.pinned_version === version.version,
    created_at: version.created_at.toISOString(),
  };
}
