// An agent's `vars:` (release-2.md section 2): named JSON constants that expressions read as `vars.<name>`.
// Reading them from a document, the effective values of a file agent under config/vars.yaml and
// config/vars/<env>.yaml, and the start-up check that every override names a var its agent declares.
import type { VarOverrideFile } from '../config/vars.loader.js';
import { describeValue, isDict, type FieldReader } from './agent.fields.js';

/** A var name: what a JSONata path step reads without quoting. */
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Reads `vars:` (a mapping of names to any JSON value); problems at the name or the value. */
export function readVars(data: Record<string, unknown>, fields: FieldReader): Record<string, unknown> | undefined {
  const vars = fields.dict(data, 'vars', [], 'vars (a mapping of names to values)');
  if (!vars) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (!VAR_NAME.test(name)) {
      fields.sink.error(['vars', name], `the var name "${name}" must be letters, digits and _, starting with a letter or _ (at most 64)`, { at: 'key' });
      continue;
    }
    const bad = notJson(value);
    if (bad !== undefined) {
      fields.sink.error(['vars', name], `var "${name}" must be a JSON value (text, number, true/false, null, list or mapping), got ${bad}`);
      continue;
    }
    out[name] = value;
  }
  return out;
}

function notJson(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : describeValue(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const bad = notJson(item);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  if (isDict(value)) {
    for (const item of Object.values(value)) {
      const bad = notJson(item);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  return describeValue(value);
}

/**
 * The vars an execution of `agent` runs with: its declared values, then for each vars file in order its
 * '*' entry and its entry for the agent, each applied only to declared vars. API graphs get no overrides.
 */
export function effectiveVars(
  agent: { name: string; vars?: Record<string, unknown> },
  files: readonly VarOverrideFile[],
  fileAgent: boolean,
): Record<string, unknown> {
  const vars: Record<string, unknown> = { ...(agent.vars ?? {}) };
  if (!fileAgent) return vars;
  for (const file of files) {
    for (const target of ['*', agent.name]) {
      for (const [name, value] of Object.entries(file.agents[target] ?? {})) if (Object.hasOwn(vars, name)) vars[name] = value;
    }
  }
  return vars;
}

/**
 * Overrides that name an agent that is not a file agent, or a var no such agent declares ('*': no file
 * agent declares it); each names the file, the key and what to do (config/config.errors.ts ConfigProblem).
 */
export function undeclaredOverrides(
  files: readonly VarOverrideFile[],
  agents: ReadonlyMap<string, Record<string, unknown> | undefined>,
): Array<{ file: string; key: string; reason: string }> {
  const problems: Array<{ file: string; key: string; reason: string }> = [];
  for (const file of files) {
    for (const [target, values] of Object.entries(file.agents)) {
      if (target !== '*' && !agents.has(target)) {
        problems.push({
          file: file.file,
          key: target,
          reason: 'is not a file agent; overrides apply only to agents of the agents folder. Remove the entry or fix the name.',
        });
        continue;
      }
      for (const name of Object.keys(values)) {
        const declared =
          target === '*' ? [...agents.values()].some((vars) => vars !== undefined && Object.hasOwn(vars, name)) : Object.hasOwn(agents.get(target) ?? {}, name);
        if (declared) continue;
        const who = target === '*' ? 'no file agent declares it' : `agent "${target}" does not declare it`;
        problems.push({
          file: file.file,
          key: `${target}.${name}`,
          reason: `overrides a var ${who}; add "${name}:" under the agent's "vars:", or remove the override.`,
        });
      }
    }
  }
  return problems;
}
