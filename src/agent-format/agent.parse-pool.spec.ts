import { describe, expect, it } from '@jest/globals';
import { parseAgentTexts, parseInWorker, POOL_MIN_TEXTS } from './agent.parse-pool.js';
import { parseAgentYaml } from './agent.parser.js';

const agent = (i: number) =>
  [`name: agent-${i}`, 'nodes:', '  t:', '    block: text.template', `    inputs: { template: "hello ${i}", values: [1, 2] }`, 'links: []', ''].join('\n');

/** Clean texts, and every kind the workers hand back: a syntax error, a repeated key, a complex key, an alias, a warning-free empty file. */
const PROBLEMS = [
  'name: broken\nnodes: {a: 1\n',
  'name: twice\nname: again\nnodes: {}\n',
  'name: complex\n? [a, b]\n: 1\n',
  'name: alias\ndescription: &d hello\nowner: *d\n',
  '',
];

function texts(count: number) {
  return Array.from({ length: count }, (_, i) => ({ text: i % 100 < PROBLEMS.length ? PROBLEMS[i % 100]! : agent(i), file: `agents/agent-${i}.yaml` }));
}

/** What validation sees of a source: its data, problems, name, and where things are. */
const seen = (source: ReturnType<typeof parseAgentYaml>) => ({
  data: source.data,
  problems: source.problems,
  file: source.file,
  expectedName: source.expectedName,
  name: source.positions.locate(['name'], 'key'),
  template: source.positions.locate(['nodes', 't', 'inputs', 'template']),
  inText: source.positions.locateText?.(['nodes', 't', 'inputs', 'template'], 'hello', 0),
});

describe('parsing many agent files on worker threads', () => {
  it('answers, text for text and in order, what parseAgentYaml answers: data, problems and positions', async () => {
    const items = texts(POOL_MIN_TEXTS + 50);
    const pooled = await parseAgentTexts(items, 2);
    expect(pooled).toHaveLength(items.length);
    expect(pooled.map(seen)).toEqual(items.map((item) => seen(parseAgentYaml(item.text, item.file))));
    expect(pooled[0]!.problems[0]!.message).toMatch(/^YAML syntax: /);
    expect(pooled[1]!.problems[0]).toMatchObject({ line: 2, column: 1, message: expect.stringMatching(/duplicate key "name"/) });
    expect(pooled[7]!.positions.locate(['nodes', 't', 'inputs', 'template'])).toEqual({ line: 5, column: 25 });
  });

  it('runs the parse on a worker thread, which answers the data of clean documents and leaves the others to this thread', async () => {
    const answer = await parseInWorker([agent(1), ...PROBLEMS.slice(0, 4), agent(2)]);
    expect(answer).toEqual([{ data: parseAgentYaml(agent(1)).data }, null, null, null, null, { data: parseAgentYaml(agent(2)).data }]);
  });

  it('parses a few files in this thread, and answers the same', async () => {
    const items = texts(20);
    expect((await parseAgentTexts(items)).map(seen)).toEqual(items.map((item) => seen(parseAgentYaml(item.text, item.file))));
  });
});
