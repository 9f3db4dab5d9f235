// The outside-world blocks as the registry sees them: accepted by its checks, ids and pins as in
// spec/blocks.md, costs from config/costs.yaml, credentials declared, side effects said.
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { BlocksRegistry } from '../../src/blocks/blocks.registry.js';
import { aiBlocks } from '../../src/blocks/library/ai/index.js';
import { communicationBlocks } from '../../src/blocks/library/communication/index.js';
import { githubBlocks } from '../../src/blocks/library/github/index.js';
import { httpBlocks } from '../../src/blocks/library/http/index.js';
import { loadConfig } from '../../src/config/config.loader.js';

const blocks = [...aiBlocks, ...githubBlocks, ...communicationBlocks, ...httpBlocks];
const config = loadConfig({ env: { TRELLIS_ENV: 'test' }, configDir: join(process.cwd(), 'config') });
const registry = new BlocksRegistry(blocks, {
  ...config.costs,
  blocks: Object.fromEntries(Object.entries(config.costs.blocks).filter(([id]) => blocks.some((b) => b.id === id))),
});

const pins = (schema: Record<string, unknown>) => Object.keys(schema.properties as object).sort();

describe('the outside-world blocks', () => {
  it("are the catalogue's ids, and the registry accepts every one", () => {
    expect(
      registry
        .list()
        .map((b) => b.id)
        .sort(),
    ).toEqual(
      [
        'ai.agent',
        'email.send',
        'github.comment',
        'github.file.get',
        'github.issue.create',
        'github.labels.add',
        'github.pr.get',
        'http.request',
        'llm.chat',
        'llm.classify',
        'llm.structured',
        'slack.post',
        'webhook.send',
      ].sort(),
    );
  });

  it.each([
    ['llm.chat', ['base_url', 'max_tokens', 'messages', 'model', 'prompt', 'provider', 'system', 'temperature'], ['error', 'text', 'usage']],
    ['llm.structured', ['base_url', 'max_tokens', 'messages', 'model', 'prompt', 'provider', 'schema', 'system', 'temperature'], ['error', 'object', 'usage']],
    [
      'llm.classify',
      ['base_url', 'labels', 'max_tokens', 'messages', 'model', 'prompt', 'provider', 'system', 'temperature', 'text'],
      ['error', 'label', 'usage'],
    ],
    [
      'http.request',
      ['body', 'fail_on_status', 'follow_redirects', 'headers', 'json', 'method', 'query', 'timeout', 'url'],
      ['body', 'body_base64', 'error', 'headers', 'json', 'status'],
    ],
    ['github.comment', ['body', 'number', 'repository'], ['comment_id', 'error', 'url']],
    ['github.issue.create', ['body', 'labels', 'repository', 'title'], ['error', 'number', 'url']],
    ['github.labels.add', ['labels', 'number', 'repository'], ['error', 'labels']],
    ['github.pr.get', ['include_diff', 'number', 'repository'], ['diff', 'error', 'pull_request']],
    ['github.file.get', ['path', 'ref', 'repository'], ['content', 'encoding', 'error', 'sha']],
    ['email.send', ['bcc', 'body', 'cc', 'from', 'html', 'reply_to', 'subject', 'to'], ['error', 'message_id']],
    ['slack.post', ['blocks', 'text'], ['error', 'ok']],
    ['webhook.send', ['payload', 'url'], ['body', 'error', 'status']],
  ])('%s has the pins of spec/blocks.md', (id, inputs, outputs) => {
    const block = registry.require(id);
    expect(pins(block.inputSchema)).toEqual(inputs);
    expect(pins(block.outputSchema)).toEqual(outputs);
  });

  it('declares the defaults of spec/blocks.md', () => {
    const props = (id: string) => registry.require(id).inputSchema.properties as Record<string, { default?: unknown }>;
    expect(props('llm.chat').max_tokens!.default).toBe(1024);
    expect(props('http.request').follow_redirects!.default).toBe(true);
    expect(props('http.request').fail_on_status!.default).toBe(true);
    expect(props('github.pr.get').include_diff!.default).toBe(false);
  });

  it('declares their credentials', () => {
    const credentials = (id: string) => registry.describe(registry.require(id)).credentials;
    expect(credentials('llm.chat')).toEqual({ llm: { provider: 'openai', types: ['api_key'], optional: true } });
    expect(registry.require('llm.chat').credentials?.llm?.providers).toEqual(['openai', 'anthropic', 'openai_compatible']);
    expect(credentials('http.request')).toEqual({ auth: { provider: 'http', types: ['api_key', 'user_password', 'header', 'oauth2'], optional: true } });
    expect(credentials('github.comment')).toEqual({ github: { provider: 'github', types: ['api_key', 'oauth2'], optional: false } });
    expect(credentials('email.send')).toEqual({ smtp: { provider: 'smtp', types: ['smtp'], optional: false } });
    expect(credentials('slack.post')).toEqual({ webhook: { provider: 'slack', types: ['secret_url'], optional: false } });
    expect(credentials('webhook.send')).toEqual({ secret: { provider: 'webhook', types: ['webhook_secret'], optional: true } });
    expect(registry.require('github.file.get').credentials?.github?.systemDefaultEnv).toBe('GITHUB_TOKEN');
    expect(registry.require('email.send').credentials?.smtp?.systemDefaultEnv).toBe('SMTP_URL');
  });

  it('cost 1 credit each, and LLM blocks by model from config/costs.yaml', () => {
    for (const block of registry.list().filter((b) => b.category !== 'ai')) expect(registry.costOf(block)).toBe(1);
    const chat = registry.require('llm.chat');
    expect(registry.costOf(chat, { model: 'gpt-4.1-nano' })).toBe(config.costs.models['gpt-4.1-nano']);
    expect(registry.costOf(chat, { model: 'claude-haiku-4-5-20251001' })).toBe(config.costs.models['claude-haiku-4-5']);
    expect(registry.costOf(chat, { model: 'some-local-model' })).toBe(config.costs.default_model_cost);
    expect(registry.describe(chat).cost_by_model?.models['gpt-4o-mini']).toBe(config.costs.models['gpt-4o-mini']);
  });

  it('say in their description when a re-run repeats an outside effect', () => {
    const effects = registry
      .list()
      .filter((b) => b.sideEffects)
      .map((b) => b.id)
      .sort();
    expect(effects).toEqual(['email.send', 'github.comment', 'github.issue.create', 'github.labels.add', 'http.request', 'slack.post', 'webhook.send']);
    for (const id of effects) expect(registry.require(id).description).toMatch(/re-run/);
    for (const id of ['llm.chat', 'llm.structured', 'llm.classify']) expect(registry.require(id).description).toContain('re-run attempt makes');
  });
});
