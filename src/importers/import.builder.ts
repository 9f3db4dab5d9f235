// Builds an agent document from mapped source nodes: each mapped node says which of its pins a source
// pin becomes, links are carried between mapped ends (an end that did not map drops the link, reported),
// and the report collects per-node outcomes, credentials by name and withheld secret values.
import type { AgentDocument, AgentLink, AgentNodeDocument, ImportNodeReport, ImportReport } from './import.types.js';

/** One source node as it maps here: its agent nodes and how its pins translate. */
export interface MappedNode {
  /** The node id links target by default. */
  id: string;
  nodes: Record<string, AgentNodeDocument>;
  /** Links among its own nodes (a prompt template feeding an LLM, for example). */
  links?: AgentLink[];
  /** `node.pin` (or `node.pin.key`) a source input pin (with its key path) becomes; null when it has none. */
  sink(pin: string, path: readonly string[]): string | null;
  /** `node.pin` a source output pin becomes; null when it has none. */
  source(pin: string): string | null;
  /** What was lost on the way: the node maps, partially. */
  lost?: string[];
  todo?: string;
}

export interface UnmappedNode {
  reasons: string[];
  todo: string;
  /** A note or a comment: nothing to run, nothing lost. */
  skipped?: boolean;
}

export class AgentBuilder {
  readonly nodes: Record<string, AgentNodeDocument> = {};
  readonly links: AgentLink[] = [];
  readonly report: ImportReport;
  private readonly linkSet = new Set<string>();

  constructor(format: ImportReport['format'], agent: string) {
    this.report = { format, agent, nodes: [], credentials: [], withheld: [], droppedLinks: [] };
  }

  addMapped(source: string, type: string, mapped: MappedNode): void {
    Object.assign(this.nodes, mapped.nodes);
    for (const link of mapped.links ?? []) this.link(typeof link === 'string' ? link : link.from, typeof link === 'string' ? link : link.to, false);
    const entry: ImportNodeReport = {
      source,
      type,
      status: mapped.lost?.length ? 'partial' : 'mapped',
      nodes: Object.keys(mapped.nodes),
      reasons: mapped.lost ?? [],
    };
    if (mapped.todo) entry.todo = mapped.todo;
    this.report.nodes.push(entry);
  }

  addUnmapped(source: string, type: string, unmapped: UnmappedNode): void {
    this.report.nodes.push({ source, type, status: unmapped.skipped ? 'skipped' : 'unmapped', nodes: [], reasons: unmapped.reasons, todo: unmapped.todo });
  }

  /** Adds `from -> to` once; a whole link written as a string, or as an object when static. */
  link(from: string, to: string, isStatic: boolean): void {
    if (from.includes(' -> ')) {
      // Internal links come as whole strings.
      if (!this.linkSet.has(from)) {
        this.linkSet.add(from);
        this.links.push(from);
      }
      return;
    }
    const key = `${from} -> ${to}`;
    if (this.linkSet.has(key)) return;
    this.linkSet.add(key);
    this.links.push(isStatic ? { from, to, static: true } : key);
  }

  dropLink(description: string, why: string): void {
    this.report.droppedLinks.push(`${description}: ${why}`);
  }

  credential(name: string, node: string, field: string, note: string): void {
    const same = this.report.credentials.find((c) => c.name === name && c.field === field);
    if (same) same.node = `${same.node}, ${node}`;
    else this.report.credentials.push({ name, node, field, note });
  }

  withheld(node: string, field: string): void {
    this.report.withheld.push({ node, field });
  }

  agent(name: string, description: string | undefined): AgentDocument {
    return { name, ...(description ? { description } : {}), nodes: this.nodes, links: this.links };
  }
}

/** Whether every node mapped fully (skipped notes aside) and no link was dropped. */
export function fullyMapped(report: ImportReport): boolean {
  return report.nodes.every((n) => n.status === 'mapped' || n.status === 'skipped') && report.droppedLinks.length === 0;
}
