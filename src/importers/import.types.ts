// What an importer produces: an agent document (plain data, rendered to YAML by import.writer.ts) and an
// honest report of what mapped, what did not (per node: why, and what to do) and what was left out on purpose.

export type AgentLink = string | { from: string; to: string; static?: boolean };

export interface AgentNodeDocument {
  block: string;
  description?: string;
  inputs?: Record<string, unknown>;
  credentials?: Record<string, string>;
}

export interface AgentTestDocument {
  name: string;
  inputs?: Record<string, unknown>;
  trigger?: { node: string; outputs: Record<string, unknown> };
  mocks: Record<string, Record<string, unknown>>;
  expect: { status: 'COMPLETED' };
}

export interface AgentDocument {
  name: string;
  description?: string;
  nodes: Record<string, AgentNodeDocument>;
  links: AgentLink[];
  tests?: AgentTestDocument[];
}

/** One node of the source: which node(s) it became here, or why it could not be carried over. */
export interface ImportNodeReport {
  /** The node's name (n8n) or id and block name (AutoGPT) in the source. */
  source: string;
  /** The source's type: n8n node type, AutoGPT block name (or id when unknown). */
  type: string;
  status: 'mapped' | 'partial' | 'unmapped' | 'skipped';
  /** The node ids written for it. */
  nodes: string[];
  /** Why it did not map, or what was lost on the way (partial). */
  reasons: string[];
  /** What a person should do about it. */
  todo?: string;
}

export interface ImportReport {
  format: 'autogpt' | 'n8n';
  agent: string;
  nodes: ImportNodeReport[];
  /** Credential names the agent refers to: create each before running it. */
  credentials: Array<{ name: string; node: string; field: string; note: string }>;
  /** Values of credential-like fields that were not written. */
  withheld: Array<{ node: string; field: string }>;
  /** Connections between nodes that could not be carried (an end is unmapped, or pins have no equivalent). */
  droppedLinks: string[];
}

export interface ImportResult {
  agent: AgentDocument;
  report: ImportReport;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}
