// The README's commands are true: every `trellis ...` it shows is a command of the CLI with options it knows
// (and every command of the CLI is in its table), every `npm run x` is a script, every environment variable
// of its table is read by src/config, every TRELLIS_<SECTION>__<KEY> example names a config key, and every
// HTTP route it names (`GET /api/...`, curl localhost:3000/...) is in the OpenAPI document.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/local.program.js';
import { buildRemoteProgram } from '../../src/cli/remote/remote.program.js';
import { openDataSource } from '../../src/entities.js';
import { loadConfig } from '../../src/config/config.loader.js';
import { codeLines } from './readme-blocks.js';

const ROOT = process.cwd();
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The hand-written documents in docs/ are held to the same rules (blocks.md is generated). */
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((file) => file.endsWith('.md') && file !== 'blocks.md')
  .map((file) => ({ file: `docs/${file}`, text: readFileSync(join(ROOT, 'docs', file), 'utf8') }));
const ALL = [{ file: 'README.md', text: README }, ...DOCS];
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const OPENAPI = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };

/** `trellis <words>` of the code blocks and of the command table's first column, as written. */
function trellisCommands(markdown: string): string[] {
  const found: string[] = [];
  for (const line of codeLines(markdown)) {
    const command = /^\s*(?:[A-Z_]+=\S*\s+)*(?:npx |node bin\/)?trellis(?:\.js)? ([^#|>]*)/.exec(line.replace(/\\$/, ''));
    if (command) found.push(command[1]!.trim());
  }
  for (const [, cell] of markdown.matchAll(/^\| `trellis ([^`]+)` \|/gm)) found.push(cell!.replace(/\\\|/g, '|'));
  return found;
}

/**
 * Why `words` is not a command line the CLI accepts, or null. Placeholders (<x>, [x], ...) pass; `a|b` as a
 * command or sub-command stands for each of a and b. A line either program accepts (the local one, or the
 * remote one that `--server` / TRELLIS_SERVER selects) is fine.
 */
function problemWith(programs: Command[], words: string): string | null {
  const [first = '', second = '', ...rest] = words.split(/\s+/);
  const variants = first.split('|').flatMap((a) => (second.includes('|') && !second.startsWith('-') ? second.split('|').map((b) => [a, b, ...rest]) : [[a, second, ...rest]]));
  for (const variant of variants) {
    const line = variant.filter(Boolean).join(' ');
    const problems = programs.map((program) => problemWithOne(program, line));
    if (problems.every(Boolean)) return problems[0]!;
  }
  return null;
}

function problemWithOne(program: Command, words: string): string | null {
  const tokens = words.replace(/[[\]]/g, ' ').split(/\s+/).filter(Boolean);
  const name = tokens.shift();
  const top = program.commands.find((c) => c.name() === name || c.aliases().includes(name ?? ''));
  if (!top) return `"trellis ${words}": there is no command "${name}"`;
  let command = top;
  while (command.commands.length > 0) {
    const sub = command.commands.find((c) => c.name() === tokens[0]);
    if (!sub) return `"trellis ${words}": ${command.name()} has no sub-command "${tokens[0]}"`;
    command = sub;
    tokens.shift();
  }
  const known = new Set(command.options.flatMap((option) => [option.long, option.short]).filter(Boolean));
  known.add('--help');
  for (const token of tokens) {
    if (!token.startsWith('-')) continue;
    const option = token.split('=')[0]!;
    if (!known.has(option)) return `"trellis ${words}": ${command.name()} has no option ${option} (it has ${[...known].join(', ')})`;
  }
  return null;
}

/** Whether METHOD path (with {x} or <x> placeholders) is an operation of the OpenAPI document. */
function documented(method: string, path: string): boolean {
  const segments = path.replace(/<[^>]+>/g, '{x}').replace(/\?.*$/, '').replace(/\/$/, '').split('/');
  return Object.entries(OPENAPI.paths).some(([template, item]) => {
    const parts = template.split('/');
    const methods = Object.keys(item);
    return (
      parts.length === segments.length &&
      parts.every((part, i) => part === segments[i] || (part.startsWith('{') && segments[i] !== '')) &&
      (methods.includes(method.toLowerCase()) || (methods.includes('post') && method !== 'GET' && template.startsWith('/webhooks/')))
    );
  });
}

describe("the README's commands", () => {
  const program = buildProgram({ openDataSource, start: () => Promise.reject(new Error('not started here')) });
  const remote = buildRemoteProgram();

  it('are commands and options the trellis CLI knows (README.md and docs/)', () => {
    expect(trellisCommands(README).length).toBeGreaterThan(15);
    const problems = ALL.flatMap(({ file, text }) => trellisCommands(text).map((words) => problemWith([program, remote], words) && `${file}: ${problemWith([program, remote], words)}`));
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it('list every command the CLI has in the command tables (README.md, docs/reference.md)', () => {
    for (const text of [README, readFileSync(join(ROOT, 'docs', 'reference.md'), 'utf8')]) {
      const table = new Set([...text.matchAll(/^\| `trellis ([a-z-]+)/gm)].map((m) => m[1]));
      expect(program.commands.map((c) => c.name()).filter((name) => !table.has(name))).toEqual([]);
    }
  });

  it('name only npm scripts the package has', () => {
    const scripts = codeLines(README).flatMap((line) => [...line.matchAll(/\bnpm (?:run ([a-z0-9:-]+)|(test|start)\b)/g)].map((m) => m[1] ?? m[2]!));
    expect(scripts.length).toBeGreaterThan(3);
    expect(scripts.filter((script) => !(script in PACKAGE.scripts))).toEqual([]);
  });

  it('name environment variables that src/config reads, and TRELLIS_<SECTION>__<KEY> examples of real keys', () => {
    const configSource = readdirSync(join(ROOT, 'src', 'config'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => readFileSync(join(ROOT, 'src', 'config', file), 'utf8'))
      .join('\n');
    const variables = ALL.filter(({ text }) => text.includes('| variable | default | meaning |')).flatMap(({ text }) => {
      const table = text.slice(text.indexOf('| variable | default | meaning |'));
      return [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((v) => v[1]!));
    });
    expect(variables.length).toBeGreaterThan(20);
    expect(variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(configSource))).toEqual([]);
    const examples = ALL.flatMap(({ text }) => [...text.matchAll(/\b(TRELLIS_[A-Z0-9]+__[A-Z0-9_]+)=([^`\s]+)/g)]);
    expect(examples.length).toBeGreaterThan(0);
    for (const [, name, value] of examples) expect(() => loadConfig({ env: { TRELLIS_ENV: 'test', [name!]: value! } })).not.toThrow();
  });

  it('name HTTP routes the OpenAPI document has (README.md and docs/)', () => {
    const routes = ALL.flatMap(({ text }) =>
      [...text.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE)(?:\/(?:GET|POST|PUT|PATCH|DELETE))*) (\/[^\s`]*)/g)].flatMap((m) =>
        m[1]!.split('/').map((method) => [method, m[2]!] as const),
      ),
    );
    for (const line of ALL.flatMap(({ text }) => codeLines(text))) {
      const curl = /curl .*?localhost:3000(\/[^\s'"]*)/.exec(line);
      if (curl) routes.push([/-X (\w+)/.exec(line)?.[1] ?? (/ -d /.test(line) ? 'POST' : 'GET'), curl[1]!]);
    }
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter(([method, path]) => !documented(method, path)).map(([method, path]) => `${method} ${path}`)).toEqual([]);
  });
});
