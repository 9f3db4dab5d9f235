// Agents and a capture for the `trellis run` tests: a temporary project with an agents folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIo } from '../../src/agents/agents.command.js';

export const ROOT = process.cwd();

export const AGENTS: Record<string, string> = {
  'agents/double.yaml': `name: double
description: Doubles a number.
nodes:
  n:
    block: input
    inputs: { name: n, type: integer }
  label:
    block: input
    inputs: { name: label, default: result }
  twice:
    block: json.query
    inputs: { expression: "$ * 2" }
  result:
    block: output
    inputs: { name: doubled }
  named:
    block: output
    inputs: { name: label }
links:
  - n.value -> twice.data
  - twice.result -> result.value
  - label.value -> named.value
`,
  'agents/fails.yaml': `name: fails
description: Always fails in its second node.
nodes:
  order:
    block: input
    inputs: { name: order, default: {} }
  check:
    block: json.query
    inputs: { expression: '$error("the order has no id")' }
  out:
    block: output
    inputs: { name: out }
links:
  - order.value -> check.data
  - check.result -> out.value
`,
  'broken/typo.yaml': `name: typo
nodes:
  t:
    block: text.templat
`,
};

export interface TempProject {
  dir: string;
  remove(): void;
}

export function tempProject(files: Record<string, string> = AGENTS): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-run-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function capture(cwd: string, env: NodeJS.ProcessEnv = {}): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => void (out += t), err: (t) => void (err += t), cwd, env }, out: () => out, err: () => err };
}
