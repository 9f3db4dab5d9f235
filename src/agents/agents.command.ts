// `trellis validate | schema | render | test`: agent files without a server or a database. Each command
// is an exported function answering its exit status, so tests run them in-process. Each loads the parts of
// agent-format/ it uses when it runs: registering them (and `trellis --help`) loads only commander.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { BlockDefinition, BlockLookup } from '../blocks/block.types.js';
import { processEnvironment } from '../config/environment.js';
import type { AgentDefinition } from '../agent-format/graph.types.js';
import { hashAgent } from '../agent-format/agent.canonical.js';
import type { ValidationContext } from '../agent-format/agent.context.js';
import { formatProblemGithub, formatProblemText } from '../agent-format/agent.problems.js';
import { formatTestReport, runAgentTests, type AgentTestRunner } from './agent.tester.js';
import type { ValidationReport } from '../agent-format/agent.validator.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: processEnvironment(),
});

/** What the commands need from outside this module, loaded lazily (tests pass their own). */
export interface AgentCommandDeps {
  /** With `io`: the integrations folder's blocks too (see src/blocks/integrations). */
  blocks(io?: CliIo): Promise<BlockLookup>;
  /**
   * The blocks as `trellis validate` needs them (never run nor priced), when that can load less than
   * `blocks(io)`: the build's block manifest. Absent: `blocks(io)`.
   */
  validationBlocks?(io: CliIo): Promise<BlockLookup>;
  /** Credential names and notification channels from config/, when the configuration loads. */
  lookups(io: CliIo): Promise<Omit<ValidationContext, 'blocks'>>;
  testRunner(blocks: BlockLookup): Promise<AgentTestRunner>;
}

export const VALIDATE_FORMATS = ['text', 'github', 'json'] as const;
export const RENDER_FORMATS = ['mermaid', 'svg'] as const;

function agentsDir(io: CliIo): string {
  return io.env.AGENTS_DIR?.trim() || 'agents';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function validatePath(path: string, io: CliIo, deps: AgentCommandDeps): Promise<ValidationReport> {
  const { readAgentSources } = await import('../agent-format/agent.files.js');
  const { validateAgents } = await import('../agent-format/agent.validator.js');
  const sources = readAgentSources(path, io.cwd);
  const blocks = deps.validationBlocks ? await deps.validationBlocks(io) : await deps.blocks(io);
  const context: ValidationContext = { blocks, ...(await deps.lookups(io)) };
  return withIntegrationProblems(validateAgents(sources, context), context.blocks, io);
}

/** Problems of the integrations folder (line:col), printed first; any of them fails validation. */
function withIntegrationProblems(report: ValidationReport, blocks: BlockLookup, io: CliIo): ValidationReport {
  const problems = (blocks as { catalog?: { problems: Array<{ file: string; line?: number; column?: number; message: string }> } }).catalog?.problems ?? [];
  for (const p of problems) io.err(`${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.message}\n`);
  return problems.length ? { ...report, ok: false, errors: report.errors + problems.length } : report;
}

function printSummary(report: ValidationReport, io: CliIo): void {
  const invalid = report.results.filter((r) => !r.ok).length;
  io.err(`${plural(report.results.length, 'agent')} checked: ${report.results.length - invalid} valid, ${invalid} invalid; ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}\n`);
}

export async function validateCommand(dir: string | undefined, format: string, io: CliIo, deps: AgentCommandDeps): Promise<number> {
  if (!(VALIDATE_FORMATS as readonly string[]).includes(format)) {
    io.err(`--format must be one of ${VALIDATE_FORMATS.join(', ')}, got "${format}"\n`);
    return 2;
  }
  const report = await validatePath(dir ?? agentsDir(io), io, deps);
  if (format === 'json') {
    const files = report.results.map((r) => ({
      file: r.source.file ?? null,
      name: r.name ?? null,
      ok: r.ok,
      hash: r.agent ? hashAgent(r.agent) : null,
      problems: r.problems,
    }));
    io.out(JSON.stringify({ ok: report.ok, errors: report.errors, warnings: report.warnings, files }, null, 2) + '\n');
  } else {
    const line = format === 'github' ? formatProblemGithub : formatProblemText;
    for (const result of report.results) for (const problem of result.problems) io.out(line(problem) + '\n');
    printSummary(report, io);
  }
  if (report.results.length === 0) io.err(`no agent files (*.yaml, *.yml) found in ${dir ?? agentsDir(io)}\n`);
  return report.ok ? 0 : 1;
}

export async function schemaCommand(io: CliIo, deps: AgentCommandDeps): Promise<number> {
  const { renderAgentSchema } = await import('../agent-format/agent.schema.js');
  io.out(renderAgentSchema(await deps.blocks()));
  return 0;
}

export async function renderCommand(target: string, format: string, io: CliIo, deps: AgentCommandDeps): Promise<number> {
  if (!(RENDER_FORMATS as readonly string[]).includes(format)) {
    io.err(`--format must be one of ${RENDER_FORMATS.join(', ')}, got "${format}"\n`);
    return 2;
  }
  const { locateAgent } = await import('../agent-format/agent.files.js');
  const { validateAgents } = await import('../agent-format/agent.validator.js');
  const { renderMermaid, renderSvg } = await import('../agent-format/agent.render.js');
  const { sources, index } = locateAgent(target, agentsDir(io), io.cwd);
  const context: ValidationContext = { blocks: await deps.blocks() };
  const result = validateAgents(sources, context).results[index]!;
  if (!result.agent) {
    for (const problem of result.problems) io.err(formatProblemText(problem) + '\n');
    io.err(`${result.source.file ?? target} has errors; fix them to render it\n`);
    return 1;
  }
  io.out(format === 'svg' ? renderSvg(result.agent) : renderMermaid(result.agent));
  return 0;
}

export async function testCommand(target: string | undefined, io: CliIo, deps: AgentCommandDeps): Promise<number> {
  const { displayPath, locateAgent, readAgentSources } = await import('../agent-format/agent.files.js');
  const { validateAgents } = await import('../agent-format/agent.validator.js');
  const folder = agentsDir(io);
  const path = target ?? folder;
  const blocks = await deps.blocks(io);
  const lookups = await deps.lookups(io);
  // Tests see every agent of the folder (for agent.run), but run only those of the file given.
  const single = target !== undefined && /\.ya?ml$/i.test(target);
  const { sources, index } = single ? locateAgent(target, folder, io.cwd) : { sources: readAgentSources(path, io.cwd), index: -1 };
  const report = validateAgents(sources, { blocks, ...lookups });
  const chosen = index >= 0 ? [report.results[index]!] : report.results;
  const invalid = chosen.filter((r) => !r.ok);
  for (const result of invalid) for (const problem of result.problems) if (problem.severity === 'error') io.err(formatProblemText(problem) + '\n');
  if (invalid.length) {
    io.err(`${plural(invalid.length, 'agent')} failed validation; fix ${invalid.length === 1 ? 'it' : 'them'} before testing (trellis validate shows every problem)\n`);
    return 1;
  }
  const agents = new Map<string, AgentDefinition>();
  for (const result of report.results) if (result.agent) agents.set(result.agent.name, result.agent);
  const targets = chosen.map((r) => ({ agent: r.agent!, ...(r.source.file !== undefined ? { file: r.source.file } : {}) }));
  const results = await runAgentTests(targets, agents, await deps.testRunner(blocks));
  if (results.length === 0) {
    io.out(`no tests found in ${displayPath(path, io.cwd)}: add tests: to an agent file\n`);
    return 0;
  }
  io.out(formatTestReport(results));
  return results.every((r) => r.passed) ? 0 : 1;
}

/** The real dependencies: the block library, config/ when it loads, the in-memory runner. */
export const defaultDeps: AgentCommandDeps = {
  async blocks(io) {
    const { BLOCK_LIBRARY } = await import('../blocks/library/index.js');
    return registryOf(BLOCK_LIBRARY, io);
  },
  async validationBlocks(io) {
    const { builtBlocks } = await import('../blocks/library/block-manifest.js');
    const built = await builtBlocks();
    if (!built) return defaultDeps.blocks(io);
    // Without an integrations folder (the usual case) the OpenAPI reader and the http block stay unloaded.
    const { integrationsFolder } = await import('../blocks/integrations/integrations-folder.js');
    return registryOf(built, existsSync(integrationsFolder(io.env, agentsDir(io), io.cwd)) ? io : undefined);
  },
  async lookups(io) {
    const { configLookups } = await import('./agent.config-lookups.js');
    return configLookups(io);
  },
  async testRunner(blocks) {
    const { memoryTestRunner } = await import('./agent.test-runner.js');
    return memoryTestRunner(blocks);
  },
};

/** A registry of `library` (with `io`: and the integrations folder's blocks). */
async function registryOf(library: readonly BlockDefinition[], io?: CliIo): Promise<BlockLookup> {
  // One after the other: jest's ESM loader fails on two concurrent imports sharing a dependency.
  const { BlocksRegistry } = await import('../blocks/blocks.registry.js');
  // Schemas compile when a block is first used: validating a folder compiles only the blocks it uses.
  if (!io) return new BlocksRegistry(library, undefined, { compileSchemas: false });
  const { IntegrationAwareRegistry, integrationsFolder, loadIntegrationCatalog } = await import('../blocks/integrations/integration-blocks.js');
  const catalog = await loadIntegrationCatalog(integrationsFolder(io.env, agentsDir(io), io.cwd), library, io.cwd);
  return new IntegrationAwareRegistry(library, catalog, undefined, { compileSchemas: false });
}

export function registerAgentCommands(program: Command, deps: AgentCommandDeps = defaultDeps, io: () => CliIo = processIo): void {
  const run = (work: () => Promise<number>) => async () => {
    try {
      process.exitCode = await work();
    } catch (error) {
      const { AgentPathError } = await import('../agent-format/agent.files.js');
      if (!(error instanceof AgentPathError)) throw error;
      io().err(`${error.message}\n`);
      process.exitCode = 2;
    }
  };
  program
    .command('validate [dir]')
    .description('check agent files (default: AGENTS_DIR or ./agents); exit 1 on any error, warnings do not fail')
    .option('--format <format>', `output: ${VALIDATE_FORMATS.join(', ')}`, 'text')
    .action((dir: string | undefined, options: { format: string }) => run(() => validateCommand(dir, options.format, io(), deps))());
  program
    .command('schema')
    .description('print the JSON Schema of the agent format (for editors; committed as agents/agent.schema.json)')
    .action(() => run(() => schemaCommand(io(), deps))());
  program
    .command('render <agent>')
    .description('draw an agent (its name, or a file) as a Mermaid flowchart or an SVG picture')
    .option('--format <format>', `output: ${RENDER_FORMATS.join(', ')}`, 'mermaid')
    .action((target: string, options: { format: string }) => run(() => renderCommand(target, options.format, io(), deps))());
  program
    .command('test [path]')
    .description("run the agents' tests: (a folder or one file); no network, no database; exit 1 on a failure")
    .action((path: string | undefined) => run(() => testCommand(path, io(), deps))());
}
