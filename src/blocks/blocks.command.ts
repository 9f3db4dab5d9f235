// `trellis blocks`: the block catalogue as a table (id, category, cost, inputs -> outputs, and what each
// block does beneath), or every full description with --json (what GET /api/blocks answers). The library
// loads when the command runs, not when it registers (`trellis --help` loads none of it).
import type { Command } from 'commander';
import type { BlockDefinition } from './block.types.js';
import type { BlockDescription } from './blocks.registry.js';
import { COMMON_BLOCK_ERRORS, ownErrorList } from './block-errors.catalog.js';

export function registerBlocksCommands(program: Command, write: (text: string) => void = (text) => void process.stdout.write(text)): void {
  program
    .command('blocks')
    .description('the block catalogue: id, category, cost, inputs -> outputs, and what each block does')
    .option('--json', "print every block's full description (schemas, credentials, pin modes) as JSON")
    .action(async (options: { json?: boolean }) => {
      const { loadConfig } = await import('../config/config.loader.js');
      const { formatIntegrationProblem, IntegrationAwareRegistry, loadIntegrationCatalog } = await import('./integrations/integration-blocks.js');
      const { BLOCK_LIBRARY } = await import('./library/index.js');
      const config = loadConfig();
      // With the integrations folder's blocks (one per OpenAPI operation); a broken integration is reported and skipped.
      const catalog = await loadIntegrationCatalog(config.integrationsDir, BLOCK_LIBRARY);
      for (const problem of catalog.problems) process.stderr.write(`${formatIntegrationProblem(problem)}\n`);
      const registry = new IntegrationAwareRegistry(BLOCK_LIBRARY, catalog, config.costs);
      if (options.json) {
        write(
          `${JSON.stringify(
            registry.list().map((block) => registry.describe(block)),
            null,
            2,
          )}\n`,
        );
        return;
      }
      write(formatBlocksTable(registry.list().map((block) => ({ block, description: registry.describe(block) }))));
    });
}

/**
 * The table `trellis blocks` prints; `?` marks optional inputs, `+` outputs that depend on constants.
 * Each row is followed by the block's description, indented and wrapped.
 */
export function formatBlocksTable(rows: Array<{ block: BlockDefinition; description: BlockDescription }>): string {
  const lines = rows.map(({ block, description }) => {
    const required = new Set((description.input_schema.required as string[] | undefined) ?? []);
    const inputs = Object.keys((description.input_schema.properties ?? {}) as object).map((pin) => {
      const mode = description.pin_modes[pin];
      return `${pin}${required.has(pin) ? '' : '?'}${mode ? ` (${mode})` : ''}`;
    });
    const outputs = Object.keys((description.output_schema.properties ?? {}) as object).filter((pin) => pin !== 'error');
    if (block.dynamicOutputs) outputs.push('+ one per constant');
    const flags = [block.trigger ? 'trigger' : '', description.streaming ? 'streaming' : '', block.suspend ? `suspends: ${block.suspend}` : ''].filter(Boolean);
    return [
      description.id,
      description.category,
      description.cost_by_model ? `${description.cost} (by model)` : String(description.cost),
      `${inputs.join(', ') || '(none)'} -> ${outputs.join(', ') || '(none)'}${flags.length ? `  [${flags.join(', ')}]` : ''}`,
    ];
  });
  const header = ['ID', 'CATEGORY', 'COST', 'INPUTS -> OUTPUTS'];
  const widths = [0, 1, 2].map((column) => Math.max(header[column]!.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell))
      .join('  ')
      .trimEnd();
  return [
    format(header),
    ...lines.flatMap((line, index) => [
      format(line),
      ...wrap(rows[index]!.description.description, DESCRIPTION_WIDTH).map((text) => `${DESCRIPTION_INDENT}${text}`),
      ...errorLines(rows[index]!.description),
    ]),
    '',
    `${rows.length} blocks. ? marks an optional input; every block also has the error output. Schemas: trellis blocks --json.`,
    `Any block may also fail with ${ownErrorList(COMMON_BLOCK_ERRORS, [], '')}.`,
    '',
  ].join('\n');
}

/** `errors: CODE (transient), CODE...`, wrapped: the block's own codes (retry.on: transient retries the transient ones). */
function errorLines(description: BlockDescription): string[] {
  const list = ownErrorList(description.errors, undefined, '');
  return list ? wrap(`errors: ${list}`, DESCRIPTION_WIDTH).map((text) => `${DESCRIPTION_INDENT}${text}`) : [];
}

const DESCRIPTION_INDENT = '    ';
const DESCRIPTION_WIDTH = 96;

/** Splits text into lines of at most `width` characters at spaces (a longer word keeps its own line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
