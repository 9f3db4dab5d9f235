// What the in-memory runner's failure specs (memory-runner.failures, .children and .values) share: test blocks that
// hang, yield too much or yield what JSON cannot hold, and `run`, over the engine's test blocks and fake timers.
import type { AgentDefinition } from '../../agent-format/graph.types.js';
import type { BlockDefinition } from '../../blocks/block.types.js';
import { runGraphInMemory, type MemoryRunOptions } from '../memory-run.js';
import { fakeTimers, testBlock, testLookup } from './engine.fixtures.js';

export const out = (name: string) => ({ block: 'output', inputs: { name } });
export const input = (name: string) => ({ block: 'input', inputs: { name } });

/** Ignores its signal and never finishes. */
const stuck: BlockDefinition = {
  ...testBlock({ id: 'test.stuck', inputs: ['value'], outputs: ['value'] }),
  async *run() {
    await new Promise(() => undefined);
    yield ['value', 'never'];
  },
};

const big: BlockDefinition = testBlock({
  id: 'test.big',
  inputs: ['size'],
  required: ['size'],
  outputs: ['text'],
  compute: (i) => [['text', 'x'.repeat(i.size as number)]],
});

const cyclic: BlockDefinition = testBlock({
  id: 'test.cyclic',
  inputs: [],
  outputs: ['value'],
  compute: () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    return [['value', value]];
  },
});

export function run(definition: AgentDefinition, options: Partial<MemoryRunOptions> = {}, extra: BlockDefinition[] = []) {
  return runGraphInMemory(definition, { blocks: testLookup([...extra, stuck, big, cyclic]), timers: fakeTimers(), ...options });
}
