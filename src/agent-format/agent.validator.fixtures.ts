// The valid agent the validator's specs (agent.validator*.spec.ts) change one line of at a time.
import { yaml } from '../../test/agents/fixtures/check.js';

const HELLO = [
  'name: hello', //                                          1
  'nodes:', //                                               2
  '  who:', //                                               3
  '    block: input', //                                     4
  '    inputs: { name: who, type: string, default: world }', // 5
  '  greet:', //                                             6
  '    block: text.template', //                             7
  '    inputs:', //                                          8
  '      template: "Hello {{ who }}"', //                    9
  '  out:', //                                              10
  '    block: output', //                                   11
  '    inputs: { name: greeting }', //                      12
  'links:', //                                              13
  '  - who.value -> greet.values.who', //                   14
  '  - greet.text -> out.value', //                         15
];

/** The agent above with some lines (by number) replaced and `extra` lines after it. */
export const hello = (replace: Record<number, string> = {}, extra: string[] = []): string => yaml(...HELLO.map((line, i) => replace[i + 1] ?? line), ...extra);
