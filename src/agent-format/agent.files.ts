// The agents folder on disk: every `<name>.yaml` / `.yml` in any sub-folder, read and parsed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseAgentYaml, type AgentSource } from './agent.parser.js';

const AGENT_FILE = /\.ya?ml$/i;

/** Agent files under `dir`, sorted, skipping hidden folders and node_modules. */
export function findAgentFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && AGENT_FILE.test(entry.name)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** How a path is shown in problems: relative to the working directory when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, resolve(file));
  return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : resolve(file);
}

export function readAgentFile(file: string, cwd = process.cwd()): AgentSource {
  return parseAgentYaml(readFileSync(file, 'utf8'), displayPath(file, cwd));
}

export class AgentPathError extends Error {
  override name = 'AgentPathError';
}

/** A folder's agent files, or one file; a clear error when the path is neither. */
export function readAgentSources(path: string, cwd = process.cwd()): AgentSource[] {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) throw new AgentPathError(`${path} does not exist: give the agents folder (default ./agents, or AGENTS_DIR) or an agent file`);
  if (statSync(absolute).isFile()) return [readAgentFile(absolute, cwd)];
  return findAgentFiles(absolute).map((file) => readAgentFile(file, cwd));
}

/**
 * `trellis render <agent|file>`: an existing file path, else the agent of that name in `agentsDir`
 * (its sources are all read, so sub-agents and cross-agent rules resolve).
 */
export function locateAgent(target: string, folder: string, cwd = process.cwd()): { sources: AgentSource[]; index: number } {
  const asPath = resolve(cwd, target);
  const agentsDir = resolve(cwd, folder);
  if (AGENT_FILE.test(target) || existsSync(asPath)) {
    if (!existsSync(asPath) || !statSync(asPath).isFile()) throw new AgentPathError(`${target} is not a file`);
    const inFolder = existsSync(agentsDir) && asPath.startsWith(resolve(agentsDir) + sep);
    const sources = inFolder ? readAgentSources(agentsDir, cwd) : [readAgentFile(asPath, cwd)];
    const index = sources.findIndex((s) => s.file === displayPath(asPath, cwd));
    return { sources, index: Math.max(index, 0) };
  }
  if (!existsSync(agentsDir))
    throw new AgentPathError(`no agents folder at ${displayPath(agentsDir, cwd)} to look for "${target}" in; give a file path, or set AGENTS_DIR`);
  const sources = readAgentSources(agentsDir, cwd);
  const index = sources.findIndex((s) => s.expectedName === target);
  if (index < 0) {
    const names = sources
      .map((s) => s.expectedName)
      .filter(Boolean)
      .join(', ');
    throw new AgentPathError(`no agent "${target}" in ${displayPath(agentsDir, cwd)} (agents there: ${names || 'none'}); give its name or a file path`);
  }
  return { sources, index };
}
