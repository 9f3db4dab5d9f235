import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../config/config.loader.js';
import type { CostsConfig } from '../config/config.schema.js';
import type { BlockDefinition } from './block.types.js';
import { BlockRegistryError, BlocksRegistry } from './blocks.registry.js';
import { BLOCK_LIBRARY } from './library/index.js';
import { defineBlock, Type } from './pins.js';

function fake(id: string, extra: Partial<BlockDefinition> = {}): BlockDefinition {
  return {
    ...defineBlock({
      id,
      description: `fake ${id}`,
      category: 'data',
      inputs: { value: Type.String() },
      outputs: { out: Type.String() },
      cost: 0,
      async *run(inputs) {
        yield ['out', inputs.value] as const;
      },
    }),
    ...extra,
  };
}

function registryProblems(blocks: BlockDefinition[], costs?: CostsConfig): string[] {
  try {
    new BlocksRegistry(blocks, costs);
  } catch (error) {
    expect(error).toBeInstanceOf(BlockRegistryError);
    return (error as BlockRegistryError).problems;
  }
  throw new Error('expected the registry to refuse the library');
}

describe('the block library', () => {
  const registry = new BlocksRegistry(BLOCK_LIBRARY);

  it('loads: every block passes the start-up checks and has a unique id', () => {
    const ids = registry.list().map((block) => block.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [
      'input',
      'output',
      'trigger.webhook',
      'trigger.github',
      'trigger.cron',
      'text.template',
      'text.match',
      'text.split',
      'text.join',
      'text.replace',
      'json.query',
      'json.parse',
      'json.stringify',
      'list.iterate',
      'list.collect',
      'value.store',
      'logic.condition',
      'logic.switch',
      'math.calculate',
      'time.now',
      'time.delay',
      'agent.run',
      'code.js',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('adds the error output to every block', () => {
    for (const block of registry.list()) {
      expect((block.outputSchema.properties as Record<string, unknown>).error).toMatchObject({ required: ['code', 'message'] });
    }
  });

  it('declares what the engine reads: pin modes, streaming, suspend, triggers, dynamic outputs', () => {
    expect(registry.get('list.collect')).toMatchObject({ pinModes: { item: 'gather', key: 'gather', count: 'sticky' }, gatherCount: 'count' });
    expect(registry.get('value.store')!.pinModes).toEqual({ data: 'sticky' });
    expect(registry.get('list.iterate')!.streaming).toBe(true);
    expect(registry.get('time.delay')!.suspend).toBe('delay');
    expect(registry.get('agent.run')!.suspend).toBe('child_execution');
    for (const id of ['trigger.webhook', 'trigger.github', 'trigger.cron']) expect(registry.get(id)!.trigger).toBe(true);
    expect(registry.get('logic.switch')!.dynamicOutputs!({ cases: { bug: 'bug', feature: 'x' } }, { agentOutputs: () => undefined })).toEqual([
      'bug',
      'feature',
    ]);
    expect(
      registry.get('agent.run')!.dynamicOutputs!({ agent: 'child' }, { agentOutputs: (name) => (name === 'child' ? ['summary', 'outputs'] : undefined) }),
    ).toEqual(['summary']);
  });

  it('marks as required exactly the pins with no default (the engine waits for them)', () => {
    expect(registry.get('text.template')!.inputSchema.required).toEqual(['template']);
    expect(registry.get('logic.condition')!.inputSchema.required).toEqual(['left', 'right']);
    expect(registry.get('trigger.cron')!.inputSchema.required).toEqual(['schedule']);
    expect(registry.get('output')!.inputSchema.required).toEqual(['name', 'value']);
  });

  it('costs what spec/blocks.md says by default', () => {
    for (const block of registry.list()) {
      if (['ai', 'http', 'github', 'communication'].includes(block.category)) continue;
      expect([block.id, registry.costOf(block)]).toEqual([block.id, block.id === 'code.js' ? 1 : 0]);
    }
  });

  it('accepts the shipped config/costs.yaml', () => {
    const config = loadConfig({ env: { TRELLIS_ENV: 'test' } });
    expect(() => new BlocksRegistry(BLOCK_LIBRARY, config.costs)).not.toThrow();
  });

  it('describes a block for the API', () => {
    const description = registry.describe(registry.get('trigger.webhook')!);
    expect(description).toMatchObject({
      id: 'trigger.webhook',
      category: 'trigger',
      credentials: { secret: { provider: 'webhook', types: ['webhook_secret'], optional: true } },
      cost: 0,
      pin_modes: {},
      streaming: false,
    });
    expect(Object.keys(description.output_schema.properties as object)).toEqual(['body', 'headers', 'query', 'method', 'error']);
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
  });

  it('answers 404 for an unknown id, with the closest ids', () => {
    expect(() => registry.require('text.templat')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', status: 404, details: { block: 'text.templat', suggestions: ['text.template'] } }),
    );
  });
});

describe('start-up checks', () => {
  it('refuses duplicate ids', () => {
    expect(registryProblems([fake('a.b'), fake('a.b')])).toEqual(['block id "a.b" is used by more than one block; ids must be unique']);
  });

  it('refuses malformed ids, pins, categories, costs and pin modes, all at once', () => {
    const problems = registryProblems([
      fake('Bad Id'),
      { ...fake('x.pins'), outputSchema: { type: 'object', properties: { 'Bad-Pin': {}, error: {} } } },
      fake('x.category', { category: 'nope' as never }),
      fake('x.cost', { cost: 1.5 }),
      fake('x.mode', { pinModes: { missing: 'gather' } }),
      fake('x.credentials', { credentials: { llm: { provider: 'openai', types: ['password' as never] } } }),
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('block Bad Id: the id must be a dotted slug'),
        expect.stringContaining('block x.pins: output pin "Bad-Pin" must match'),
        expect.stringContaining('block x.pins: declares an "error" output'),
        expect.stringContaining('block x.category: unknown category "nope"'),
        expect.stringContaining('block x.cost: cost must be a whole number'),
        expect.stringContaining('block x.mode: pin mode for "missing", which is not an input pin'),
        expect.stringContaining('block x.credentials: credential field "llm" needs types among'),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('refuses schemas that do not compile', () => {
    const problems = registryProblems([{ ...fake('x.schema'), inputSchema: { type: 'object', properties: { value: { type: 'strnig' } } } }]);
    expect(problems[0]).toContain('block x.schema: its schemas do not compile');
  });

  it('refuses cost overrides for blocks that do not exist, suggesting the close ones', () => {
    const problems = registryProblems([fake('text.template')], { blocks: { 'text.templat': 2 }, models: {}, default_model_cost: 1 });
    expect(problems).toEqual(['config/costs.yaml: blocks.text.templat: there is no block "text.templat". Did you mean "text.template"?']);
  });
});

describe('costs', () => {
  const llm = fake('llm.fake', { category: 'ai', cost: (inputs, costs) => costs.models[String(inputs.model)] ?? costs.default_model_cost });

  it("takes config/costs.yaml over the block's own cost", () => {
    const registry = new BlocksRegistry([fake('a.b', { cost: 1 })], { blocks: { 'a.b': 5 }, models: {}, default_model_cost: 1 });
    expect(registry.costOf(registry.get('a.b')!)).toBe(5);
  });

  it('prices LLM blocks by model, with the default for unknown models', () => {
    const registry = new BlocksRegistry([llm], { blocks: {}, models: { 'gpt-x': 7 }, default_model_cost: 2 });
    const block = registry.get('llm.fake')!;
    expect(registry.costOf(block, { model: 'gpt-x' })).toBe(7);
    expect(registry.costOf(block, { model: 'other' })).toBe(2);
    expect(registry.describe(block)).toMatchObject({ cost: 2, cost_by_model: { models: { 'gpt-x': 7 }, default: 2 } });
  });
});
