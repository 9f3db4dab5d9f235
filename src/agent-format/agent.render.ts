// An agent as a picture: Mermaid flowchart text (for pull-request comments and GET /graphs/{id}/diagram)
// and a standalone SVG laid out in layers by dagre (`trellis render --format svg`).
import dagre from '@dagrejs/dagre';
import type { AgentDefinition, LinkDefinition } from './graph.types.js';

type NodeKind = 'trigger' | 'io' | 'block';

function kindOf(block: string): NodeKind {
  if (block.startsWith('trigger.')) return 'trigger';
  if (block === 'input' || block === 'output') return 'io';
  return 'block';
}

/** `payload → data`, with the key path and the sink key as written. */
export function linkLabel(link: LinkDefinition): string {
  const from = [link.from.pin, ...link.from.path].join('.');
  const to = [link.to.pin, ...(link.to.key !== undefined ? [link.to.key] : [])].join('.');
  return `${from} → ${to}`;
}

/** Mermaid ids get a prefix: a node called `end` (or one starting with o or x) would break the syntax. */
const mermaidId = (node: string): string => `n_${node}`;

function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

export function renderMermaid(agent: AgentDefinition): string {
  const lines = ['flowchart LR'];
  for (const [id, node] of Object.entries(agent.nodes)) {
    const label = `"${mermaidText(id)}<br/>${mermaidText(node.block)}"`;
    const kind = kindOf(node.block);
    const shape = kind === 'trigger' ? `([${label}])` : kind === 'io' ? `[/${label}/]` : `[${label}]`;
    lines.push(`  ${mermaidId(id)}${shape}${kind === 'block' ? '' : `:::${kind}`}`);
  }
  for (const link of agent.links) {
    const arrow = link.static ? '-.->' : '-->';
    lines.push(`  ${mermaidId(link.from.node)} ${arrow}|"${mermaidText(linkLabel(link))}"| ${mermaidId(link.to.node)}`);
  }
  lines.push('  classDef trigger fill:#fff4d6,stroke:#b7791f,stroke-width:2px');
  lines.push('  classDef io fill:#e7f5ec,stroke:#2f855a');
  return lines.join('\n') + '\n';
}

const FONT = 12;
const CHAR_WIDTH = 7.2;
const NODE_HEIGHT = 46;
const PADDING = 14;
const STYLE: Record<NodeKind, { fill: string; stroke: string }> = {
  trigger: { fill: '#fff4d6', stroke: '#b7791f' },
  io: { fill: '#e7f5ec', stroke: '#2f855a' },
  block: { fill: '#eef2ff', stroke: '#4c51bf' },
};

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const round = (n: number): string => String(Math.round(n * 10) / 10);

interface NodeBox {
  width: number;
  height: number;
  x?: number;
  y?: number;
}

interface EdgeBox {
  label: string;
  width: number;
  height: number;
  labelpos: 'c';
  static: boolean;
  points?: Array<{ x: number; y: number }>;
  x?: number;
  y?: number;
}

export function renderSvg(agent: AgentDefinition): string {
  const graph = new dagre.graphlib.Graph<Record<string, unknown>, NodeBox, EdgeBox>({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 80, edgesep: 16, marginx: 16, marginy: 16 });
  for (const [id, node] of Object.entries(agent.nodes)) {
    graph.setNode(id, { width: Math.max(id.length, node.block.length) * CHAR_WIDTH + 2 * PADDING, height: NODE_HEIGHT });
  }
  agent.links.forEach((link, i) => {
    if (!graph.hasNode(link.from.node) || !graph.hasNode(link.to.node)) return;
    const label = linkLabel(link);
    graph.setEdge(
      link.from.node,
      link.to.node,
      { label, width: label.length * (CHAR_WIDTH - 0.6) + 8, height: FONT + 6, labelpos: 'c', static: link.static },
      `link${i}`,
    );
  });
  dagre.layout(graph);
  const { width = 0, height = 0 } = graph.graph() as { width?: number; height?: number };

  const parts: string[] = [];
  for (const edge of graph.edges()) {
    const data: EdgeBox = graph.edge(edge);
    const points = data.points ?? [];
    if (points.length === 0) continue;
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join(' ');
    parts.push(`<path class="link${data.static ? ' static' : ''}" d="${path}" marker-end="url(#arrow)"/>`);
    if (data.x !== undefined && data.y !== undefined) {
      parts.push(
        `<rect class="link-label" x="${round(data.x - data.width / 2)}" y="${round(data.y - data.height / 2)}" width="${round(data.width)}" height="${round(data.height)}" rx="3"/>`,
        `<text class="link-label" x="${round(data.x)}" y="${round(data.y + FONT / 2 - 2)}">${escapeXml(data.label)}</text>`,
      );
    }
  }
  for (const id of graph.nodes()) {
    const box: NodeBox = graph.node(id);
    const block = agent.nodes[id]!.block;
    const style = STYLE[kindOf(block)];
    const x = (box.x ?? 0) - box.width / 2;
    const y = (box.y ?? 0) - box.height / 2;
    parts.push(
      `<g class="node ${kindOf(block)}">`,
      `<rect x="${round(x)}" y="${round(y)}" width="${round(box.width)}" height="${round(box.height)}" rx="${kindOf(block) === 'trigger' ? 20 : 6}" fill="${style.fill}" stroke="${style.stroke}"/>`,
      `<text class="node-id" x="${round(box.x ?? 0)}" y="${round(y + 19)}">${escapeXml(id)}</text>`,
      `<text class="node-block" x="${round(box.x ?? 0)}" y="${round(y + 36)}">${escapeXml(block)}</text>`,
      `</g>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${round(width)}" height="${round(height)}" viewBox="0 0 ${round(width)} ${round(height)}" role="img" aria-label="${escapeXml(`agent ${agent.name}`)}">`,
    `<title>${escapeXml(agent.name)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker></defs>',
    `<style>text{font-family:ui-sans-serif,system-ui,sans-serif;font-size:${FONT}px;text-anchor:middle;fill:#1a202c}.node-id{font-weight:600}.node-block{fill:#4a5568}path.link{fill:none;stroke:#4a5568;stroke-width:1.4}path.static{stroke-dasharray:5 4}rect.link-label{fill:#ffffff;fill-opacity:0.9}text.link-label{font-size:${FONT - 1}px;fill:#2d3748}</style>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
