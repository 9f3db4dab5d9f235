// Problems found in an agent document and where they are: a line and column for files, a JSON Pointer
// for JSON bodies (POST /api/graphs). The same validator serves both through a PositionResolver.
import type { Problem } from '../common/errors.js';

export type Severity = 'error' | 'warning';

/** A path into the document: object keys and list indexes. */
export type DocPath = ReadonlyArray<string | number>;

export interface AgentProblem extends Problem {
  /** Always set: a JSON Pointer into the document (`/nodes/big/inputs/right`). */
  pointer: string;
  severity: Severity;
}

export interface SourcePosition {
  line?: number;
  column?: number;
}

/** Where a path is in the source: at its key (`'key'`) or at its value (the default). */
export interface PositionResolver {
  locate(path: DocPath, at?: 'key' | 'value'): SourcePosition;
  /** Where the `occurrence`-th (from 0) `needle` inside the scalar at `path` is written (YAML documents only). */
  locateText?(path: DocPath, needle: string, occurrence: number): SourcePosition | undefined;
}

/** For documents without text positions (JSON bodies): problems carry the pointer alone. */
export const POINTER_ONLY: PositionResolver = { locate: () => ({}) };

export function toPointer(path: DocPath): string {
  return path.map((part) => '/' + String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export interface ProblemOptions {
  at?: 'key' | 'value';
  node?: string;
  pin?: string;
  severity?: Severity;
}

/** Collects problems for one document, resolving each path to a position once. */
export class ProblemSink {
  readonly problems: AgentProblem[] = [];

  constructor(
    private readonly positions: PositionResolver,
    private readonly file?: string,
  ) {}

  error(path: DocPath, message: string, options: ProblemOptions = {}): void {
    this.add(path, message, { ...options, severity: 'error' });
  }

  warn(path: DocPath, message: string, options: ProblemOptions = {}): void {
    this.add(path, message, { ...options, severity: 'warning' });
  }

  add(path: DocPath, message: string, options: ProblemOptions = {}): void {
    this.addAt(this.positions.locate(path, options.at), path, message, options);
  }

  /** An error at the `occurrence`-th `needle` written inside the value at `path` (the value itself when unknown). */
  errorInText(path: DocPath, needle: string, occurrence: number, message: string, options: ProblemOptions = {}): void {
    const at = this.positions.locateText?.(path, needle, occurrence) ?? this.positions.locate(path);
    this.addAt(at, path, message, { ...options, severity: 'error' });
  }

  /** A problem at a known position (the parser's syntax errors and repeated keys). */
  addAt({ line, column }: SourcePosition, path: DocPath, message: string, options: ProblemOptions = {}): void {
    const problem: AgentProblem = { pointer: toPointer(path), message, severity: options.severity ?? 'error' };
    if (this.file !== undefined) problem.file = this.file;
    if (line !== undefined) problem.line = line;
    if (column !== undefined) problem.column = column;
    if (options.node !== undefined) problem.node = options.node;
    if (options.pin !== undefined) problem.pin = options.pin;
    this.problems.push(problem);
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}

export function hasErrors(problems: readonly AgentProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Orders problems by file, line and column (pointer-only problems keep their order at the end). */
export function sortProblems(problems: readonly AgentProblem[]): AgentProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

/** `path:line:col: message`, the form editors and terminals link to. */
export function formatProblemText(problem: AgentProblem): string {
  const where = [problem.file ?? '(document)', problem.line, problem.column].filter((part) => part !== undefined).join(':');
  const place = problem.line === undefined && problem.pointer ? ` (at ${problem.pointer})` : '';
  const level = problem.severity === 'warning' ? 'warning: ' : '';
  return `${where}${place}: ${level}${problem.message}`;
}

/** A GitHub Actions workflow command: `::error file=...,line=...,col=...::message`. */
export function formatProblemGithub(problem: AgentProblem): string {
  const properties = [
    problem.file !== undefined ? `file=${escapeProperty(problem.file)}` : undefined,
    problem.line !== undefined ? `line=${problem.line}` : undefined,
    problem.column !== undefined ? `col=${problem.column}` : undefined,
  ].filter(Boolean);
  return `::${problem.severity}${properties.length ? ' ' + properties.join(',') : ''}::${escapeData(problem.message)}`;
}

// The escaping GitHub's runner applies to workflow commands (actions/toolkit, command.ts).
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The one answer for an agent.run target the caller may not see or that does not exist: the two never differ. */
export function noAgentNamed(name: string): string {
  return `no agent named ${JSON.stringify(name)}`;
}
