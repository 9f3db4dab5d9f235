// `trellis import autogpt <graph.json>` and `trellis import n8n <workflow.json>`: write agents/<name>.yaml
// (no overwrite without --force; input over 10 MB refused), print the report, and validate what was written.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultDeps, processIo, type AgentCommandDeps, type CliIo } from '../agents/agents.command.js';
import type { ImportResult } from './import.types.js';

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const IMPORT_FORMATS = ['autogpt', 'n8n'] as const;

export interface ImportOptions {
  force?: boolean;
  json?: boolean;
}

function agentsDir(io: CliIo): string {
  return resolve(io.cwd, io.env.AGENTS_DIR?.trim() || 'agents');
}

/** Exit status: 0 written and valid; 1 written but invalid (a bug to report); 2 nothing written. */
export async function importCommand(format: string, file: string, options: ImportOptions, io: CliIo, deps: AgentCommandDeps = defaultDeps): Promise<number> {
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
    io.err(`unknown format "${format}": use ${IMPORT_FORMATS.join(' or ')}\n`);
    return 2;
  }
  const path = resolve(io.cwd, file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    io.err(`${file}: no such file\n`);
    return 2;
  }
  if (statSync(path).size > MAX_IMPORT_BYTES) {
    io.err(`${file} is larger than 10 MB: an export that large is refused; split the workflow or remove pinned data (n8n "pinData") first\n`);
    return 2;
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    io.err(`${file} is not JSON (${error instanceof Error ? error.message : String(error)}): give the exported .json file\n`);
    return 2;
  }
  // Loaded here, not at the top: registering the command (and `trellis --help`) must not load the validator.
  const { readAgentSources } = await import('../agent-format/agent.files.js');
  const { formatProblemText } = await import('../agent-format/agent.problems.js');
  const { validateAgents } = await import('../agent-format/agent.validator.js');
  const { importAutogpt } = await import('./autogpt.importer.js');
  const { fullyMapped } = await import('./import.builder.js');
  const { renderAgentYaml, renderReport } = await import('./import.render.js');
  const { ImportError } = await import('./import.types.js');
  const { importN8n } = await import('./n8n.importer.js');
  const blocks = await deps.blocks();
  const folder = agentsDir(io);
  const existing = existsSync(folder) ? readAgentSources(folder, io.cwd) : [];
  const knownAgents = new Set(validateAgents(existing, { blocks }).results.flatMap((r) => (r.name ? [r.name] : [])));
  let result: ImportResult;
  try {
    const fileName = basename(file).replace(/\.json$/i, '');
    result = format === 'autogpt' ? importAutogpt(value, { fileName, blocks, knownAgents }) : importN8n(value, { fileName, blocks, knownAgents });
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    io.err(`${file}: ${error.message}\n`);
    return 2;
  }
  if (Object.keys(result.agent.nodes).length === 0) {
    io.out(renderReport(result.report, '(nothing written)'));
    io.err(`${file}: no node mapped, so no agent file was written; rebuild the workflow with the blocks listed by \`trellis blocks\`\n`);
    return 2;
  }
  const target = join(folder, `${result.agent.name}.yaml`);
  if (existsSync(target) && !options.force) {
    io.err(`${target} exists: give --force to overwrite it, or rename the workflow\n`);
    return 2;
  }
  mkdirSync(folder, { recursive: true });
  writeFileSync(target, renderAgentYaml(result.agent, result.report, basename(file)));
  const report = validateAgents(readAgentSources(target, io.cwd), { blocks, ...(await deps.lookups(io)) });
  const problems = report.results.flatMap((r) => r.problems);
  if (options.json) {
    io.out(JSON.stringify({ file: target, valid: report.ok, fully_mapped: fullyMapped(result.report), report: result.report, problems }, null, 2) + '\n');
  } else {
    io.out(renderReport(result.report, target));
    for (const problem of problems) io.out(formatProblemText(problem) + '\n');
  }
  if (!report.ok) {
    io.err(`${target} was written but does not validate: this is a bug in the importer; fix the lines above by hand\n`);
    return 1;
  }
  return 0;
}

export function registerImportCommands(program: Command, deps: AgentCommandDeps = defaultDeps, io: () => CliIo = processIo): void {
  const command = program
    .command('import')
    .description('turn an AutoGPT graph export or an n8n workflow file into an agent file, with a report of what did not map');
  for (const format of IMPORT_FORMATS) {
    command
      .command(`${format} <file>`)
      .description(
        `write ${format === 'autogpt' ? 'an AutoGPT graph export' : 'an n8n workflow file'} as agents/<name>.yaml (AGENTS_DIR) and print what mapped`,
      )
      .option('--force', 'overwrite an existing agent file')
      .option('--json', 'print the report as JSON')
      .action(async (file: string, options: ImportOptions) => {
        process.exitCode = await importCommand(format, file, options, io(), deps);
      });
  }
}
