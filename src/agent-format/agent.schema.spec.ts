import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { blocks } from '../../test/agents/fixtures/check.js';
import { buildAgentSchema } from './agent.schema.js';

const schema = buildAgentSchema(blocks);
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

const valid = {
  name: 'greeter',
  nodes: {
    who: { block: 'input', inputs: { name: 'who', type: 'string', default: 'world' } },
    greet: { block: 'text.template', inputs: { template: 'Hello {{ who }}' }, retry: { attempts: 3, delay: '2s' }, timeout: '30s' },
    post: { block: 'slack.post', credentials: { webhook: 'ops-slack' } },
    out: { block: 'output', inputs: { name: 'greeting' } },
  },
  links: ['who.value -> greet.values.who', { from: 'greet.text', to: 'out.value', static: false }, 'greet.text.length -> post.text'],
  tests: [
    {
      name: 'greets',
      inputs: { who: 'Ada' },
      mocks: { post: { ok: true } },
      expect: { status: 'COMPLETED', outputs: { greeting: ['Hello Ada'] }, ran: ['greet'] },
    },
  ],
};

const errorsOf = (doc: unknown): string[] => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe('the JSON Schema of the agent format', () => {
  it('is draft-07 and lists every block id', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const definitions = schema.definitions as { node: { properties: { block: { enum: string[] } } } };
    expect(definitions.node.properties.block.enum).toEqual(
      blocks
        .list()
        .map((b) => b.id)
        .sort(),
    );
  });

  it('accepts a valid agent', () => {
    expect(errorsOf(valid)).toEqual([]);
  });

  it('rejects unknown keys, unknown pins of the chosen block, unknown credential fields and bad names', () => {
    expect(errorsOf({ ...valid, descripton: 'x' })).toContain(' must NOT have additional properties');
    const badPin = structuredClone(valid);
    (badPin.nodes.greet.inputs as Record<string, unknown>).templat = 'x';
    expect(errorsOf(badPin)).toContain('/nodes/greet/inputs must NOT have additional properties');
    const badType = structuredClone(valid);
    (badType.nodes.greet.inputs as Record<string, unknown>).template = 5;
    expect(errorsOf(badType)).toContain('/nodes/greet/inputs/template must be string');
    const badCredential = structuredClone(valid);
    badCredential.nodes.post.credentials = { webhok: 'x' } as never;
    expect(errorsOf(badCredential)).toContain('/nodes/post/credentials must NOT have additional properties');
    expect(errorsOf({ ...valid, name: 'Bad Name' })).toContain('/name must match pattern "^[a-z][a-z0-9-]{1,62}$"');
    expect(errorsOf({ ...valid, nodes: { ...valid.nodes, out: { block: 'no.such' } } })).toContain(
      '/nodes/out/block must be equal to one of the allowed values',
    );
  });

  it('checks the link grammar, durations, retry and tests', () => {
    expect(errorsOf({ ...valid, links: ['a.b => c.d'] }).length).toBeGreaterThan(0);
    expect(errorsOf({ ...valid, links: ['a.out.k1.0 -> b.in.key'] })).toEqual([]);
    expect(errorsOf({ ...valid, timeout: '10 minutes' })).toContain('/timeout must match pattern "^\\d+(\\.\\d+)?(ms|s|m|h|d)$"');
    expect(errorsOf({ ...valid, tests: [{ name: 't', inputs: {}, trigger: { node: 'x' }, expect: {} }] })).toContain('/tests/0 must NOT be valid');
    expect(errorsOf({ ...valid, tests: [{ name: 't', expect: { status: 'DONE' } }] })).toContain(
      '/tests/0/expect/status must be equal to one of the allowed values',
    );
  });
});
