// Agent documents from text (YAML, with line:col for every key and value) or from a parsed JSON body
// (positions as JSON Pointers). Both become an AgentSource: plain data plus a position resolver.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { POINTER_ONLY, ProblemSink, toPointer, type AgentProblem, type DocPath, type PositionResolver, type SourcePosition } from './agent.problems.js';

export interface AgentSource {
  /** Display path of the file (`agents/hello-world.yaml`), absent for API bodies. */
  file?: string;
  /** The name the file's name requires (`hello-world` for hello-world.yaml). */
  expectedName?: string;
  /** The document as plain data (undefined when the text could not be parsed at all). */
  data: unknown;
  positions: PositionResolver;
  /** Syntax and duplicate-key problems found while parsing. */
  problems: AgentProblem[];
}

interface Located {
  key?: SourcePosition;
  value: SourcePosition;
  /** A scalar's source offsets, for positions inside its text. */
  range?: [number, number];
}

class YamlPositions implements PositionResolver {
  text = '';
  at: (offset: number) => SourcePosition = () => ({ line: 1, column: 1 });

  constructor(private readonly index: Map<string, Located>) {}

  locateText(path: DocPath, needle: string, occurrence: number): SourcePosition | undefined {
    const range = this.index.get(toPointer(path))?.range;
    if (!range) return undefined;
    const source = this.text.slice(range[0], range[1]);
    let found = -1;
    for (let n = 0; n <= occurrence; n++) {
      found = source.indexOf(needle, found + 1);
      if (found === -1) return undefined;
    }
    return this.at(range[0] + found);
  }

  locate(path: DocPath, at: 'key' | 'value' = 'value'): SourcePosition {
    // A path that is not in the document (a missing key) points at its nearest ancestor.
    for (let length = path.length; length >= 0; length--) {
      const found = this.index.get(toPointer(path.slice(0, length)));
      if (!found) continue;
      return (length === path.length && at === 'key' ? found.key : undefined) ?? found.value;
    }
    return { line: 1, column: 1 };
  }
}

/** Parses one agent file. Syntax errors and duplicate keys become problems at their line and column. */
export function parseAgentYaml(text: string, file?: string): AgentSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const index = new Map<string, Located>();
  const positions = new YamlPositions(index);
  const sink = new ProblemSink(positions, file);
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  positions.text = text;
  positions.at = at;
  const base: Omit<AgentSource, 'data'> = { positions, problems: sink.problems, ...expectedNameOf(file) };

  if (doc.errors.length) {
    for (const error of doc.errors) {
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      sink.addAt(at(error.pos[0]), [], `YAML syntax: ${message}. Fix the YAML first: nothing else can be checked until it parses.`);
    }
    return { ...base, data: undefined };
  }
  index.set('', { value: doc.contents?.range ? at(doc.contents.range[0]) : { line: 1, column: 1 } });
  if (doc.contents) indexNode(doc.contents, [], index, sink, at);
  for (const warning of doc.warnings) {
    sink.addAt(at(warning.pos[0]), [], `YAML: ${warning.message.split('\n')[0]}`, { severity: 'warning' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    sink.error([], `YAML: ${(error as Error).message}. Use fewer aliases, or write the values out.`);
    return { ...base, data: undefined };
  }
  return { ...base, data };
}

/** Records the position of every key and value, and reports duplicate keys at the repeated key. */
function indexNode(node: YamlNode, path: Array<string | number>, index: Map<string, Located>, sink: ProblemSink, at: (offset: number) => SourcePosition): void {
  if (isAlias(node)) return;
  if (isMap(node)) {
    const seen = new Map<string, SourcePosition>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode === null ? '' : String(keyNode);
      const keyPosition = keyNode?.range ? at(keyNode.range[0]) : (index.get(toPointer(path))?.value ?? { line: 1, column: 1 });
      const childPath = [...path, key];
      const valueNode = pair.value as YamlNode | null;
      const valuePosition =
        valueNode?.range && !(isScalar(valueNode) && valueNode.value === null && valueNode.range[0] === valueNode.range[1])
          ? at(valueNode.range[0])
          : keyPosition;
      if (!isScalar(keyNode)) {
        index.set(toPointer(childPath), { key: keyPosition, value: valuePosition });
        sink.error(childPath, 'keys must be plain text (a complex or empty key was found here)', { at: 'key' });
        continue;
      }
      const first = seen.get(key);
      // The data keeps the last of duplicate keys, so positions follow the last one too.
      if (first) sink.addAt(keyPosition, childPath, `duplicate key "${key}" (first written at line ${first.line}); keep one of them`);
      else seen.set(key, keyPosition);
      index.set(toPointer(childPath), { key: keyPosition, value: valuePosition, ...scalarRange(valueNode) });
      if (valueNode) indexNode(valueNode, childPath, index, sink, at);
    }
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const itemNode = item as YamlNode | null;
      const childPath = [...path, i];
      if (itemNode?.range) index.set(toPointer(childPath), { value: at(itemNode.range[0]), ...scalarRange(itemNode) });
      if (itemNode) indexNode(itemNode, childPath, index, sink, at);
    });
  }
}

function scalarRange(node: YamlNode | null): { range?: [number, number] } {
  return isScalar(node) && node.range ? { range: [node.range[0], node.range[1]] } : {};
}

/** An agent sent as a JSON body: problems are located by JSON Pointer only. */
export function agentSourceFromJson(data: unknown, expectedName?: string): AgentSource {
  return { data, positions: POINTER_ONLY, problems: [], ...(expectedName !== undefined ? { expectedName } : {}) };
}

function expectedNameOf(file: string | undefined): { file?: string; expectedName?: string } {
  if (file === undefined) return {};
  const base = file.split(/[\\/]/).pop()!;
  return { file, expectedName: base.replace(/\.ya?ml$/i, '') };
}
