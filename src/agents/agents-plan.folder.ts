// The agents folder as sync sees it: every agent file, parsed, with its path relative to the folder
// (what graphs record, whatever the working directory) and its display path (what problems show).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { displayPath, findAgentFiles } from '../agent-format/agent.files.js';
import { parseAgentTexts } from '../agent-format/agent.parse-pool.js';
import { parseAgentYaml, type AgentSource } from '../agent-format/agent.parser.js';
import type { FolderFile } from './agents-plan.js';
import { agentsFolderMissing } from './agents-sync.errors.js';

export interface AgentsFolder {
  /** Absolute path. */
  dir: string;
  /** As shown to people: relative to the working directory when inside it. */
  display: string;
  files: FolderFile[];
}

/**
 * The parsed files of the last read, reused while a file's text is unchanged: parsing YAML with positions
 * is most of a sync's time, and a re-sync in a running server mostly finds the same texts. Holds one
 * folder's worth; files gone from the folder are dropped on the next read. Parsed sources are never
 * changed by validation, so sharing them is safe.
 */
export class ParsedFilesCache {
  private entries = new Map<string, { text: string; display: string; source: AgentSource }>();

  /** Starts a read: parse through the returned function (`parsed`: parsed already), then call `done()`. */
  begin(): { parse(path: string, text: string, display: string, parsed?: AgentSource): AgentSource; done(): void } {
    const next = new Map<string, { text: string; display: string; source: AgentSource }>();
    return {
      parse: (path, text, display, parsed) => {
        const source = parsed ?? this.cached(path, text, display) ?? parseAgentYaml(text, display);
        next.set(path, { text, display, source });
        return source;
      },
      done: () => {
        this.entries = next;
      },
    };
  }

  private cached(path: string, text: string, display: string): AgentSource | undefined {
    const hit = this.entries.get(path);
    return hit && hit.text === text && hit.display === display ? hit.source : undefined;
  }

  /** Every file, parsed (the new and changed texts on worker threads when there are many); the cache then holds these. */
  async parseAll(files: ReadonlyArray<{ path: string; text: string; display: string }>): Promise<AgentSource[]> {
    const read = this.begin();
    const misses = files.filter((file) => !this.cached(file.path, file.text, file.display));
    const parsed = new Map((await parseAgentTexts(misses.map((file) => ({ text: file.text, file: file.display })))).map((source, i) => [misses[i]!.path, source]));
    const sources = files.map((file) => read.parse(file.path, file.text, file.display, parsed.get(file.path)));
    read.done();
    return sources;
  }
}

export function readAgentsFolder(dir: string, cwd = process.cwd(), cache?: ParsedFilesCache): AgentsFolder {
  const absolute = resolve(cwd, dir);
  const display = displayPath(absolute, cwd);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) throw agentsFolderMissing(display);
  const read = cache?.begin();
  const files = findAgentFiles(absolute).map((file) => {
    const text = readFileSync(file, 'utf8');
    const shown = displayPath(file, cwd);
    return { path: relative(absolute, file).split(sep).join('/'), source: read ? read.parse(file, text, shown) : parseAgentYaml(text, shown) };
  });
  read?.done();
  return { dir: absolute, display, files };
}
