// What an n8n node mapper works with: its parameters turned into constants, links or templates against
// the item it receives, helper nodes, credentials by name, and what was lost on the way.
import type { AgentBuilder } from './import.builder.js';
import { credentialNameOf, escapeExpressions, isCredentialLike, type NodeIds } from './import.helpers.js';
import type { AgentNodeDocument } from './import.types.js';
import { convertParameter, type ExpressionScope, type ItemSource } from './n8n.expressions.js';

export interface N8nNode {
  id?: string;
  name: string;
  type: string;
  typeVersion?: number;
  parameters?: Record<string, unknown>;
  credentials?: Record<string, { id?: string; name?: string } | string>;
  disabled?: boolean;
}

/** A mapped node: its main id and the item it passes on, per output index. */
export interface N8nMapped {
  id: string;
  outputs: Array<ItemSource | null>;
}

export interface N8nUnmapped {
  reasons: string[];
  todo: string;
  skipped?: boolean;
}

export class N8nNodeContext {
  readonly nodes: Record<string, AgentNodeDocument> = {};
  readonly links: Array<[string, string]> = [];
  readonly lost: string[] = [];
  /** Set when a required value could not be carried: the node does not map. */
  blocker: string | null = null;

  constructor(
    readonly node: N8nNode,
    readonly scope: ExpressionScope,
    readonly ids: NodeIds,
    private readonly builder: AgentBuilder,
    readonly knownAgents: ReadonlySet<string>,
  ) {}

  get params(): Record<string, unknown> {
    return this.node.parameters ?? {};
  }

  take(suffix?: string): string {
    return this.ids.take(suffix ? `${this.node.name}_${suffix}` : this.node.name);
  }

  add(id: string, node: AgentNodeDocument): void {
    this.nodes[id] = node;
  }

  link(from: string, to: string): void {
    this.links.push([from, to]);
  }

  /**
   * Sets input `pin` of node `id` from an n8n parameter: a constant, a link, or a text.template helper.
   * `required`: a value that cannot be carried blocks the node; otherwise it is reported as lost.
   */
  set(id: string, pin: string, value: unknown, label: string, required = false): boolean {
    if (value === undefined || value === null || value === '') return false;
    if (isCredentialLike(label) && !(typeof value === 'string' && value.startsWith('='))) {
      this.builder.withheld(this.node.name, label);
      return false;
    }
    const converted = convertParameter(value, this.scope);
    const target = this.nodes[id]!;
    if (converted.kind === 'constant') {
      target.inputs = { ...target.inputs, [pin]: escapeExpressions(converted.value) };
      return true;
    }
    if (converted.kind === 'link') {
      this.link(converted.from, `${id}.${pin}`);
      return true;
    }
    if (converted.kind === 'template') {
      const helper = this.ids.take(`${id}_${pin}`);
      this.add(helper, { block: 'text.template', inputs: { template: escapeExpressions(converted.template), values: {} } });
      for (const [name, from] of Object.entries(converted.values)) this.link(from, `${helper}.values.${name}`);
      this.link(`${helper}.text`, `${id}.${pin}`);
      return true;
    }
    const why = `${label}: the expression ${converted.expression} could not be carried (only $json, $node["X"].json and $('X').item.json paths into the items it receives are)`;
    if (required) this.blocker ??= why;
    else this.lost.push(why);
    return false;
  }

  /** The node's credential of n8n type `type` (or the first), as a name: never a value (n8n exports hold none). */
  credential(field: string, note: string, type?: string): string | null {
    const all = this.node.credentials ?? {};
    const key = type && type in all ? type : Object.keys(all)[0];
    if (key === undefined) return null;
    const entry = all[key];
    const label = typeof entry === 'string' ? entry : entry?.name;
    const name = credentialNameOf(label, credentialNameOf(key, 'credential'));
    this.builder.credential(name, this.node.name, field, `${note} (n8n credential type ${key}${label ? `, "${label}"` : ''})`);
    return name;
  }
}
