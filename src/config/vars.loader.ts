// config/vars.yaml and config/vars/<TRELLIS_ENV>.yaml: per-environment values of agents' `vars:`
// (release-2.md section 2). Each maps an agent name, or '*' for every agent, to `{var: JSON value}`.
// Unlike the other config files they do not interpolate `${VAR}`: vars are not secrets (they appear in
// plans, pull-request comments and stored executions). Whether each var is declared is checked once the
// agents are known (agent-format/agent.vars.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { displayPath } from './config-files.js';
import type { ConfigProblem } from './config.errors.js';

/** One vars file, in the order it applies (vars.yaml first, then vars/<env>.yaml). */
export interface VarOverrideFile {
  /** Display path, for messages. */
  file: string;
  /** Agent name or '*' -> var name -> value. */
  agents: Record<string, Record<string, unknown>>;
}

/** An agent name or '*' (the agent name pattern of agent-format.md). */
const TARGET = /^(\*|[a-z][a-z0-9-]{1,62})$/;

export function loadVarOverrides(configDir: string, cwd: string, trellisEnv: string, problems: ConfigProblem[]): VarOverrideFile[] {
  const files: VarOverrideFile[] = [];
  for (const name of ['vars.yaml', join('vars', `${trellisEnv}.yaml`)]) {
    const path = join(configDir, name);
    if (!existsSync(path)) continue;
    const read = readVarsFile(path, displayPath(cwd, path), problems);
    if (read) files.push(read);
  }
  return files;
}

function readVarsFile(path: string, shown: string, problems: ConfigProblem[]): VarOverrideFile | null {
  const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      problems.push({ file: pos ? `${shown}:${pos.line}:${pos.col}` : shown, key: '(syntax)', reason: error.message.split('\n')[0]! });
    }
    return null;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    problems.push({ file: shown, key: '(top level)', reason: (error as Error).message });
    return null;
  }
  if (!isMapping(data)) {
    problems.push({ file: shown, key: '(top level)', reason: "expected a mapping of agent names (or '*') to {var: value}" });
    return null;
  }
  const agents: Record<string, Record<string, unknown>> = {};
  for (const [target, values] of Object.entries(data)) {
    if (!TARGET.test(target)) {
      problems.push({ file: shown, key: target, reason: "expected an agent name (like pr-size-labeler) or '*' for every agent" });
      continue;
    }
    if (!isMapping(values)) {
      problems.push({ file: shown, key: target, reason: 'expected a mapping of var names to values, like {api: https://example.com}' });
      continue;
    }
    agents[target] = values;
  }
  return { file: shown, agents };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
