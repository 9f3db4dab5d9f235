// The written agent file (YAML with a header saying where it came from) and the printed report.
import { stringify } from 'yaml';
import { fullyMapped } from './import.builder.js';
import type { AgentDocument, ImportReport } from './import.types.js';

export function renderAgentYaml(agent: AgentDocument, report: ImportReport, sourceFile: string): string {
  const unmapped = report.nodes.filter((n) => n.status === 'unmapped');
  const partial = report.nodes.filter((n) => n.status === 'partial');
  const header = [
    '# yaml-language-server: $schema=./agent.schema.json',
    `# Imported by \`trellis import ${report.format}\` from ${sourceFile}.`,
    fullyMapped(report)
      ? '# Every node mapped; check the credentials named below exist before running it.'
      : `# Not everything mapped (${unmapped.length} node(s) left out, ${partial.length} partly mapped): see the import report, and finish those steps by hand.`,
    ...unmapped.map((n) => `#   left out: ${n.source}: ${n.reasons.join('; ')}`.replace(/\n/g, ' ')),
  ];
  return `${header.join('\n')}\n${stringify(agent, { lineWidth: 0 })}`;
}

export function renderReport(report: ImportReport, written: string): string {
  const lines: string[] = [];
  const count = (status: string) => report.nodes.filter((n) => n.status === status).length;
  lines.push(`Imported ${report.format} -> ${written} (agent "${report.agent}")`);
  lines.push(
    `${report.nodes.length} node(s): ${count('mapped')} mapped, ${count('partial')} partly mapped, ${count('unmapped')} not mapped, ${count('skipped')} skipped`,
  );
  for (const node of report.nodes) {
    const target = node.nodes.length ? ` -> ${node.nodes.join(', ')}` : '';
    lines.push(`  [${node.status}] ${node.source}${target}`);
    for (const reason of node.reasons) lines.push(`      why: ${reason}`);
    if (node.todo && node.status !== 'mapped') lines.push(`      to do: ${node.todo}`);
  }
  if (report.droppedLinks.length) {
    lines.push('Connections not carried over:');
    for (const link of report.droppedLinks) lines.push(`  ${link}`);
  }
  if (report.credentials.length) {
    lines.push('Credentials to create (by name; no value was imported):');
    for (const c of report.credentials) lines.push(`  ${c.name}: ${c.note} (node ${c.node}, field ${c.field})`);
  }
  if (report.withheld.length) {
    lines.push('Secret values not written (set them as credentials instead):');
    for (const w of report.withheld) lines.push(`  ${w.node}: ${w.field}`);
  }
  lines.push(fullyMapped(report) ? 'Everything mapped.' : 'Not everything mapped: finish the steps listed above by hand.');
  return lines.join('\n') + '\n';
}
