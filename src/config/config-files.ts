// Reading the config folder's YAML files: syntax errors with line:col, `${VAR}` and `${VAR:-default}`
// interpolation from the environment, and paths shown relative to the working folder in messages.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigProblem } from './config.errors.js';

export function absolute(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

export function displayPath(cwd: string, file: string): string {
  return file.startsWith(cwd + '/') ? file.slice(cwd.length + 1) : file;
}

/** Reads a YAML file with `${VAR}` interpolation; problems name the file and the key. */
export function readYamlFile(file: string, shown: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, unknown> | null {
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source, { uniqueKeys: true });
  if (doc.errors.length) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      problems.push({ file: pos ? `${shown}:${pos.line}:${pos.col}` : shown, key: '(syntax)', reason: error.message.split('\n')[0]! });
    }
    return null;
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file: shown, key: '(top level)', reason: 'expected a mapping of sections' });
    return null;
  }
  return interpolate(value, env, [], shown, problems) as Record<string, unknown>;
}

const WHOLE_VAR = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;
const ANY_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `${VAR}` and `${VAR:-default}`; a value that is only an unset `${VAR}` counts as not set at all. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string[], file: string, problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_VAR.exec(value);
    if (whole) {
      const found = env[whole[1]!];
      if (found !== undefined && found !== '') return found;
      return whole[2] ?? undefined;
    }
    return value.replace(ANY_VAR, (_text, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problems.push({ file, key: path.join('.'), reason: `environment variable ${name} is not set (set it, or write \${${name}:-default})` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, [...path, String(i)], file, problems));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const result = interpolate(item, env, [...path, key], file, problems);
      if (result !== undefined) out[key] = result;
    }
    return out;
  }
  return value;
}

/** A file of the config folder that may be absent (then empty). */
export function readOptional(configDir: string, cwd: string, name: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]) {
  const file = join(configDir, name);
  const shown = displayPath(cwd, file);
  if (!existsSync(file)) return { file: shown, values: {} as Record<string, unknown> };
  return { file: shown, values: readYamlFile(file, shown, env, problems) ?? {} };
}
