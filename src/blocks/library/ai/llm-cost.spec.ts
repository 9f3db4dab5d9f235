import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../config/config.loader.js';
import { llmChatBlock } from './llm.chat.js';
import { modelCost } from './llm-cost.js';

const COSTS = { models: { 'gpt-4o': 5, 'gpt-4o-mini': 1, 'claude-sonnet-4-5': 8 }, default_model_cost: 3, integrations: {} };

describe('modelCost', () => {
  it.each([
    ['gpt-4o', 5],
    ['gpt-4o-mini', 1],
    ['gpt-4o-2024-08-06', 5],
    ['gpt-4o-mini-2024-07-18', 1],
    ['claude-sonnet-4-5-20250929', 8],
    ['claude-sonnet-4-5-latest', 8],
    ['gpt-4o-audio-preview', 3],
    ['llama3.2', 3],
    ['', 3],
  ])('%s costs %d', (model, cost) => {
    expect(modelCost({ model }, COSTS)).toBe(cost);
  });

  it('charges the default when the model is not known before the run (a linked pin)', () => {
    expect(modelCost({}, COSTS)).toBe(3);
  });

  it('is the cost function of the LLM blocks', () => {
    expect(typeof llmChatBlock.cost).toBe('function');
    expect((llmChatBlock.cost as (i: object, c: typeof COSTS) => number)({ model: 'gpt-4o-mini' }, COSTS)).toBe(1);
  });
});

describe('config/costs.yaml', () => {
  it('loads, lists every fixed block of the catalogue and prices some current models', () => {
    const config = loadConfig({ env: { TRELLIS_ENV: 'test' }, configDir: join(process.cwd(), 'config') });
    expect(config.costs.blocks).toMatchObject({
      'http.request': 1,
      'github.comment': 1,
      'email.send': 1,
      'slack.post': 1,
      'webhook.send': 1,
      'text.template': 0,
    });
    expect(config.costs.models['gpt-4.1-mini']).toBeGreaterThan(0);
    expect(config.costs.models['claude-sonnet-4-5']).toBeGreaterThan(0);
    expect(config.costs.default_model_cost).toBeGreaterThan(0);
    expect(readFileSync(join(process.cwd(), 'config', 'costs.yaml'), 'utf8')).toContain('default_model_cost');
  });
});
