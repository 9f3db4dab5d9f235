import { describe, expect, it } from '@jest/globals';
import { agentSourceFromJson, parseAgentYaml } from './agent.parser.js';

const TEXT = ['name: demo', 'nodes:', '  a:', '    block: text.template', '    inputs: { template: "hi", values: [1, 2] }', 'links: []', ''].join('\n');

describe('parsing agent YAML with positions', () => {
  it('answers plain data, the file and the name the file requires', () => {
    const source = parseAgentYaml(TEXT, 'agents/team/demo.yml');
    expect(source).toMatchObject({ file: 'agents/team/demo.yml', expectedName: 'demo', problems: [] });
    expect(source.data).toEqual({ name: 'demo', nodes: { a: { block: 'text.template', inputs: { template: 'hi', values: [1, 2] } } }, links: [] });
  });

  it('locates keys and values (1-based), list items, and falls back to the nearest ancestor', () => {
    const { positions } = parseAgentYaml(TEXT, 'agents/demo.yaml');
    expect(positions.locate(['nodes', 'a'], 'key')).toEqual({ line: 3, column: 3 });
    expect(positions.locate(['nodes', 'a'])).toEqual({ line: 4, column: 5 });
    expect(positions.locate(['nodes', 'a', 'inputs', 'template'], 'key')).toEqual({ line: 5, column: 15 });
    expect(positions.locate(['nodes', 'a', 'inputs', 'values', 1])).toEqual({ line: 5, column: 43 });
    expect(positions.locate(['nodes', 'a', 'retry', 'delay'])).toEqual({ line: 4, column: 5 });
    expect(positions.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('reports duplicate keys at every repetition, even nested and in flow style', () => {
    const { problems } = parseAgentYaml(['name: demo', 'nodes:', '  a: { block: x, block: y }', '  a: {}', ''].join('\n'), 'agents/demo.yaml');
    expect(problems.map((p) => [p.line, p.column, p.pointer, p.message])).toEqual([
      [3, 18, '/nodes/a/block', 'duplicate key "block" (first written at line 3); keep one of them'],
      [4, 3, '/nodes/a', 'duplicate key "a" (first written at line 3); keep one of them'],
    ]);
  });

  it('reports syntax errors and leaves no data', () => {
    const source = parseAgentYaml('name: demo\nnodes: {a: 1\n', 'agents/demo.yaml');
    expect(source.data).toBeUndefined();
    expect(source.problems[0]).toMatchObject({ file: 'agents/demo.yaml', severity: 'error', message: expect.stringMatching(/^YAML syntax: /) });
    expect(parseAgentYaml('name: a\n---\nname: b\n').problems[0]!.message).toMatch(/YAML syntax: .*document/i);
  });

  it('resolves aliases, and refuses alias bombs', () => {
    expect(parseAgentYaml('name: demo\ndescription: &d hello\nowner: *d\n').data).toEqual({ name: 'demo', description: 'hello', owner: 'hello' });
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const source = parseAgentYaml(bomb);
    expect(source.data).toBeUndefined();
    expect(source.problems[0]!.message).toMatch(/alias/i);
  });

  it('wraps a JSON body with pointer-only positions', () => {
    const source = agentSourceFromJson({ name: 'x' });
    expect(source.positions.locate(['nodes', 'a'])).toEqual({});
    expect(source.file).toBeUndefined();
  });
});
