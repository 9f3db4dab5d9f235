import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectProblemAt, problemsOf, validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { loadVarOverrides } from '../config/vars.loader.js';
import type { ConfigProblem } from '../config/config.errors.js';
import { effectiveVars, undeclaredOverrides } from './agent.vars.js';

const AGENT = (varsLines: string[]) =>
  yaml('name: orders', 'vars:', ...varsLines, 'nodes:', '  out:', '    block: output', '    inputs: { name: result, value: 1 }');

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-vars-'));
  mkdirSync(join(dir, 'vars'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('vars: in an agent', () => {
  it('keeps JSON values of every type in the canonical definition', () => {
    const report = validateTexts({
      'agents/orders.yaml': AGENT(['  api: https://orders.example.com', '  big_order: 100', '  tags: [a, b]', '  on: { x: null }']),
    });
    expect(report.results[0]!.problems).toEqual([]);
    expect(report.results[0]!.agent!.vars).toEqual({ api: 'https://orders.example.com', big_order: 100, tags: ['a', 'b'], on: { x: null } });
  });

  it('reports a bad var name at the name, and a vars that is not a mapping at the value', () => {
    expectProblemAt(problemsOf(AGENT(['  api: x', '  bad-name: 1'])), 4, 3, /the var name "bad-name" must be letters, digits and _/);
    expectProblemAt(
      problemsOf(yaml('name: orders', 'vars: [1, 2]', 'nodes:', '  out: { block: output, inputs: { name: r, value: 1 } }')),
      2,
      7,
      /vars .* must be a mapping/,
    );
  });
});

describe('overrides from config/vars.yaml and config/vars/<env>.yaml', () => {
  const declared = { name: 'orders', vars: { api: 'https://orders.example.com', big_order: 100 } };

  it("apply vars.yaml, then the environment's file; '*' before the agent's own entry; only declared vars", () => {
    const problems: ConfigProblem[] = [];
    const dir = configDir({
      'vars.yaml': "'*': { api: https://all.example.com, other: 1 }\norders: { big_order: 5 }\n",
      'vars/staging.yaml': "orders: { api: https://staging.example.com }\n'*': { big_order: 7 }\n",
    });
    const files = loadVarOverrides(dir, dir, 'staging', problems);
    expect(problems).toEqual([]);
    expect(effectiveVars(declared, files, true)).toEqual({ api: 'https://staging.example.com', big_order: 7 });
    expect(effectiveVars(declared, loadVarOverrides(dir, dir, 'production', problems), true)).toEqual({ api: 'https://all.example.com', big_order: 5 });
    // API graphs never take overrides.
    expect(effectiveVars(declared, files, false)).toEqual(declared.vars);
  });

  it('does not interpolate ${VAR}: vars are not secrets', () => {
    const problems: ConfigProblem[] = [];
    const files = loadVarOverrides(configDir({ 'vars.yaml': 'orders: { api: "${HOME}/x" }\n' }), '/', 'test', problems);
    expect(effectiveVars(declared, files, true).api).toBe('${HOME}/x');
  });

  it('reports a bad file shape with the file and key', () => {
    const problems: ConfigProblem[] = [];
    const dir = configDir({ 'vars.yaml': 'Orders!: { a: 1 }\norders: 3\n' });
    loadVarOverrides(dir, dir, 'test', problems);
    expect(problems).toEqual([
      { file: expect.stringMatching(/vars\.yaml$/), key: 'Orders!', reason: expect.stringMatching(/agent name/) },
      { file: expect.stringMatching(/vars\.yaml$/), key: 'orders', reason: expect.stringMatching(/mapping of var names/) },
    ]);
  });

  it('finds overrides of undeclared vars and of agents that are not file agents', () => {
    const files = [{ file: 'config/vars/test.yaml', agents: { '*': { api: 1, nobody: 2 }, orders: { big_order: 1, typo: 2 }, ghost: { a: 1 } } }];
    const agents = new Map<string, Record<string, unknown> | undefined>([
      ['orders', declared.vars],
      ['plain', undefined],
    ]);
    expect(undeclaredOverrides(files, agents)).toEqual([
      { file: 'config/vars/test.yaml', key: '*.nobody', reason: expect.stringMatching(/no file agent declares it/) },
      { file: 'config/vars/test.yaml', key: 'orders.typo', reason: expect.stringMatching(/agent "orders" does not declare it; add "typo:"/) },
      { file: 'config/vars/test.yaml', key: 'ghost', reason: expect.stringMatching(/is not a file agent/) },
    ]);
  });
});
