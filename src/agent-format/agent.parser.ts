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

/**
 * Where each key and value of a YAML text is. The index is built on the first question, by parsing the text
 * again: most files have no problem to place, and an index of every node of every file of a large folder
 * (tens of objects per node, kept as long as the parsed file is) cost more than the parse itself.
 */
class YamlPositions implements PositionResolver {
  private index: Map<string, Located> | undefined;

  constructor(
    private readonly text: string,
    private lines?: LineCounter,
  ) {}

  /** Line and column of an offset (lines are counted by the first parse that needs them). */
  readonly at = (offset: number): SourcePosition => {
    if (!this.lines) this.indexed();
    const { line, col } = this.lines!.linePos(offset);
    return { line, column: col };
  };

  private indexed(): Map<string, Located> {
    if (this.index) return this.index;
    // A fresh counter: one that has seen a parse already would count every line twice.
    this.lines = new LineCounter();
    const doc = parseDocument(this.text, { ...PARSE_OPTIONS, lineCounter: this.lines });
    this.index = new Map();
    if (doc.errors.length) return this.index;
    this.index.set('', { value: doc.contents?.range ? this.at(doc.contents.range[0]) : { line: 1, column: 1 } });
    if (doc.contents) indexNode(doc.contents, [], this.index, this.at);
    return this.index;
  }

  locateText(path: DocPath, needle: string, occurrence: number): SourcePosition | undefined {
    const range = this.indexed().get(toPointer(path))?.range;
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
    const index = this.indexed();
    // A path that is not in the document (a missing key) points at its nearest ancestor.
    for (let length = path.length; length >= 0; length--) {
      const found = index.get(toPointer(path.slice(0, length)));
      if (!found) continue;
      return (length === path.length && at === 'key' ? found.key : undefined) ?? found.value;
    }
    return { line: 1, column: 1 };
  }
}

/** How agent files are parsed, here and in parse workers (agent.parse-pool.ts). */
export const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false } as const;

/** The functions of the `yaml` package that cleanDocumentData uses. */
export interface YamlFunctions {
  isAlias: typeof isAlias;
  isMap: typeof isMap;
  isPair: typeof isPair;
  isScalar: typeof isScalar;
  isSeq: typeof isSeq;
}

/**
 * The data of a parsed document with nothing to report (no syntax error, warning, alias, complex or repeated
 * key), or null: such a document needs no position until validation finds a problem. Self-contained, with
 * the `yaml` functions handed in, because parse workers run it from its source text.
 */
export function cleanDocumentData(yaml: YamlFunctions, doc: ReturnType<typeof parseDocument>): { data: unknown } | null {
  if (doc.errors.length || doc.warnings.length) return null;
  const stack: unknown[] = doc.contents ? [doc.contents] : [];
  while (stack.length) {
    const node = stack.pop();
    if (yaml.isAlias(node)) return null;
    if (yaml.isMap(node)) {
      const keys = new Set<string>();
      for (const pair of node.items) {
        if (!yaml.isPair(pair)) continue;
        if (!yaml.isScalar(pair.key)) return null;
        const key = String(pair.key.value);
        if (keys.has(key)) return null;
        keys.add(key);
        if (pair.value) stack.push(pair.value);
      }
    } else if (yaml.isSeq(node)) {
      for (const item of node.items) if (item) stack.push(item);
    }
  }
  return { data: doc.toJS() };
}

const YAML_FUNCTIONS: YamlFunctions = { isAlias, isMap, isPair, isScalar, isSeq };

/** The source of a text whose data cleanDocumentData answered (in this thread or a worker). */
export function cleanAgentSource(text: string, data: unknown, file?: string, lines?: LineCounter): AgentSource {
  return { data, positions: new YamlPositions(text, lines), problems: [], ...expectedNameOf(file) };
}

/** Parses one agent file. Syntax errors and duplicate keys become problems at their line and column. */
export function parseAgentYaml(text: string, file?: string): AgentSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter });
  const clean = cleanDocumentData(YAML_FUNCTIONS, doc);
  if (clean) return cleanAgentSource(text, clean.data, file, lineCounter);
  const positions = new YamlPositions(text, lineCounter);
  const at = positions.at;
  const sink = new ProblemSink(positions, file);
  const base: Omit<AgentSource, 'data'> = { positions, problems: sink.problems, ...expectedNameOf(file) };

  if (doc.errors.length) {
    for (const error of doc.errors) {
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      sink.addAt(at(error.pos[0]), [], `YAML syntax: ${message}. Fix the YAML first: nothing else can be checked until it parses.`);
    }
    return { ...base, data: undefined };
  }
  if (doc.contents) checkKeys(doc.contents, [], sink, at);
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

/** Reports keys that are not plain text, and duplicate keys at the repeated key. */
function checkKeys(node: YamlNode, path: Array<string | number>, sink: ProblemSink, at: (offset: number) => SourcePosition): void {
  if (isAlias(node)) return;
  if (isMap(node)) {
    const seen = new Map<string, YamlNode>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const valueNode = pair.value as YamlNode | null;
      if (!isScalar(keyNode)) {
        sink.error([...path, keyNode === null ? '' : String(keyNode)], 'keys must be plain text (a complex or empty key was found here)', { at: 'key' });
        continue;
      }
      const key = String(keyNode.value);
      const first = seen.get(key);
      if (first) {
        const where = (key: YamlNode) => (key.range ? at(key.range[0]) : { line: 1, column: 1 });
        sink.addAt(where(keyNode), [...path, key], `duplicate key "${key}" (first written at line ${where(first).line}); keep one of them`);
      } else seen.set(key, keyNode);
      if (valueNode) checkKeys(valueNode, [...path, key], sink, at);
    }
    return;
  }
  if (isSeq(node)) node.items.forEach((item, i) => item && checkKeys(item as YamlNode, [...path, i], sink, at));
}

/** Records the position of every key and value (the last of duplicate keys, as the data keeps). */
function indexNode(node: YamlNode, path: Array<string | number>, index: Map<string, Located>, at: (offset: number) => SourcePosition): void {
  if (isAlias(node)) return;
  if (isMap(node)) {
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
        continue;
      }
      index.set(toPointer(childPath), { key: keyPosition, value: valuePosition, ...scalarRange(valueNode) });
      if (valueNode) indexNode(valueNode, childPath, index, at);
    }
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const itemNode = item as YamlNode | null;
      const childPath = [...path, i];
      if (itemNode?.range) index.set(toPointer(childPath), { value: at(itemNode.range[0]), ...scalarRange(itemNode) });
      if (itemNode) indexNode(itemNode, childPath, index, at);
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
