// `trellis analyze <agent|file|folder>`: each agent's size, depth, parallel branches, critical path, credits
// per run and suggestions (agent-format/agent.analysis.ts), without a server or a database. What it runs
// loads when it runs: registering it (and `trellis --help`) loads only commander.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AgentAnalysis, NodeCost } from '../agent-format/agent.analysis.js';
import type { CostsConfig } from '../config/config.schema.js';
import { defaultDeps, processIo, type AgentCommandDeps, type CliIo } from './agents.command.js';

export const ANALYZE_FORMATS = ['text', 'json'] as const;

/** What analyze needs beyond the agent commands' deps: config/costs.yaml, when the configuration loads. */
export interface AnalyzeDeps extends AgentCommandDeps {
  costs(io: CliIo): Promise<CostsConfig | undefined>;
}

export const defaultAnalyzeDeps: AnalyzeDeps = {
  ...defaultDeps,
  async costs(io) {
    const { ConfigError, loadConfig } = await import('../config/config.loader.js');
    try {
      return loadConfig({ env: io.env, cwd: io.cwd }).costs;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`note: the configuration does not load, so costs are the blocks' own, not config/costs.yaml's:\n${error.message}\n`);
      return undefined;
    }
  },
};

/** `min to max`, `max` unbounded when null. */
export function formatCostRange(min: number, max: number | null): string {
  if (max === null) return `${min} to unbounded`;
  return min === max ? String(min) : `${min} to ${max}`;
}

/** An ai.agent's line: its model and tool calls, and what they cost at least and at most. */
function callsLine(id: string, node: NodeCost): string {
  const calls = node.calls!;
  const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;
  const tools = calls.tool_calls.max ? `, up to ${calls.tool_calls.max} block tool calls at ${credits(calls.tool_credits)} at most` : '';
  const agents = calls.agent_tools.length ? ` (agent tools ${calls.agent_tools.join(', ')} not counted)` : '';
  const runs = node.runs.max === null ? ', in each of any number of runs' : node.runs.max > 1 ? `, in each of up to ${node.runs.max} runs` : '';
  return `    ${id} (${node.block}): ${credits(node.credits)} a model call, ${calls.model_calls.min} to ${calls.model_calls.max} model calls${tools}${agents}${runs}: ${formatCostRange(node.min, node.max)}`;
}

export function formatAnalysis(analysis: AgentAnalysis, file?: string): string {
  const lines = [`${analysis.agent}${file ? ` (${file})` : ''}`];
  const count = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
  lines.push(`  ${count(analysis.nodes, 'node')}, ${count(analysis.links, 'link')}; depth ${analysis.max_depth}, ${count(analysis.parallel_branches, 'parallel branch', 'parallel branches')}`);
  lines.push(`  critical path: ${analysis.critical_path.join(' -> ')}`);
  const unbounded =
    analysis.cost.max === null
      ? ' (a fan-out or a loop: it grows with the data)'
      : analysis.cost.step_bounded.length
        ? ` (at most: ${analysis.cost.step_bounded.join(', ')} may use every max_steps model call and max_tool_calls tool call)`
        : '';
  lines.push(`  credits per run: ${formatCostRange(analysis.cost.min, analysis.cost.max)}${unbounded}`);
  for (const [id, node] of Object.entries(analysis.cost.per_node)) {
    if (node.calls) {
      lines.push(callsLine(id, node));
      continue;
    }
    if (node.credits === 0) continue;
    const runs = node.runs.max === null ? `${node.runs.min} or more runs` : node.runs.min === node.runs.max ? `${node.runs.max} run${node.runs.max === 1 ? '' : 's'}` : `${node.runs.min} to ${node.runs.max} runs`;
    const attempts = node.attempts > 1 ? `, up to ${node.attempts} attempts` : "";
    lines.push(`    ${id} (${node.block}): ${node.credits} credit${node.credits === 1 ? "" : "s"} an attempt${attempts}, ${runs}: ${formatCostRange(node.min, node.max)}`);
  }
  if (analysis.suggestions.length) {
    lines.push('  suggestions:');
    for (const s of analysis.suggestions) lines.push(`    - ${s.message}`);
  }
  return lines.join('\n') + '\n';
}

export async function analyzeCommand(target: string | undefined, format: string, io: CliIo, deps: AnalyzeDeps): Promise<number> {
  if (!(ANALYZE_FORMATS as readonly string[]).includes(format)) {
    io.err(`--format must be one of ${ANALYZE_FORMATS.join(', ')}, got "${format}"\n`);
    return 2;
  }
  const { locateAgent, readAgentSources } = await import('../agent-format/agent.files.js');
  const { validateAgents } = await import('../agent-format/agent.validator.js');
  const { formatProblemText } = await import('../agent-format/agent.problems.js');
  const { analyzeAgent } = await import('../agent-format/agent.analysis.js');
  const { blockCost } = await import('../blocks/blocks.registry.js');
  const folder = io.env.AGENTS_DIR?.trim() || 'agents';
  const path = target ?? folder;
  const isFolder = existsSync(resolve(io.cwd, path)) && statSync(resolve(io.cwd, path)).isDirectory();
  // The whole folder is read either way, so sub-agents resolve; only the agent asked for is analysed.
  const { sources, index } = isFolder ? { sources: readAgentSources(path, io.cwd), index: -1 } : locateAgent(path, folder, io.cwd);
  const blocks = await deps.blocks(io);
  const report = validateAgents(sources, { blocks, ...(await deps.lookups(io)) });
  const chosen = index >= 0 ? [report.results[index]!] : report.results;
  const costs = await deps.costs(io);
  const analyses: Array<{ file: string | null; analysis: AgentAnalysis }> = [];
  let invalid = 0;
  for (const result of chosen) {
    if (!result.agent) {
      invalid++;
      for (const problem of result.problems) if (problem.severity === 'error') io.err(formatProblemText(problem) + '\n');
      io.err(`${result.source.file ?? result.name ?? 'an agent'} has errors; fix them to analyse it (trellis validate shows every problem)\n`);
      continue;
    }
    const analysis = analyzeAgent(result.agent, { blocks, costOf: (block, inputs) => blockCost(block, inputs, costs) });
    analyses.push({ file: result.source.file ?? null, analysis });
  }
  if (format === 'json') io.out(JSON.stringify(analyses.map(({ file, analysis }) => ({ file, ...analysis })), null, 2) + '\n');
  else io.out(analyses.map(({ file, analysis }) => formatAnalysis(analysis, file ?? undefined)).join('\n'));
  if (!chosen.length) io.err(`no agent files (*.yaml, *.yml) found in ${path}\n`);
  return invalid ? 1 : 0;
}

export function registerAnalyzeCommand(program: Command, deps: AnalyzeDeps = defaultAnalyzeDeps, io: () => CliIo = processIo): void {
  program
    .command('analyze [agent]')
    .description('depth, parallel branches, critical path, credits per run and suggestions of an agent (its name, a file or a folder; default AGENTS_DIR or ./agents)')
    .option('--format <format>', `output: ${ANALYZE_FORMATS.join(', ')}`, 'text')
    .action(async (target: string | undefined, options: { format: string }) => {
      try {
        process.exitCode = await analyzeCommand(target, options.format, io(), deps);
      } catch (error) {
        const { AgentPathError } = await import('../agent-format/agent.files.js');
        if (!(error instanceof AgentPathError)) throw error;
        io().err(`${error.message}\n`);
        process.exitCode = 2;
      }
    });
}
