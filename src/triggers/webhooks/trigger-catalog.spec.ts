import { describe, expect, it } from '@jest/globals';
import type { ActiveTrigger } from '../../graphs/graphs.repository.js';
import { buildCatalog } from './trigger-catalog.js';

const row = (over: Partial<ActiveTrigger>): ActiveTrigger => ({
  graph_id: 'g',
  version: 3,
  node_id: 'hook',
  block: 'trigger.webhook',
  config: {},
  credentials: {},
  owner_id: null,
  ...over,
});

describe('buildCatalog', () => {
  it('keys webhooks by agent/node, defaults methods to POST and respond to at_accept, bills the admin when no owner is set, and marks file agents', () => {
    const catalog = buildCatalog(
      [
        row({ source: 'file' }),
        row({
          graph_id: 'h',
          node_id: 'in',
          config: { methods: ['put', 'GET'], respond: 'by_output' },
          credentials: { secret: 'hook-secret' },
          owner_id: 'u-ops',
          source: 'api',
        }),
      ],
      'u-admin',
    );
    expect(catalog.webhooks.get('g/hook')).toEqual({
      graph_id: 'g',
      version: 3,
      node_id: 'hook',
      methods: ['POST'],
      secret: null,
      user_id: 'u-admin',
      file: true,
      respond: 'at_accept',
    });
    expect(catalog.webhooks.get('h/in')).toEqual({
      graph_id: 'h',
      version: 3,
      node_id: 'in',
      methods: ['PUT', 'GET'],
      secret: 'hook-secret',
      user_id: 'u-ops',
      file: false,
      respond: 'by_output',
    });
    expect(catalog.github).toEqual([]);
  });

  it('lists GitHub triggers with their events and repository, and ignores cron triggers', () => {
    const catalog = buildCatalog(
      [
        row({ node_id: 'gh', block: 'trigger.github', config: { events: ['pull_request.opened'], repository: 'acme/app' } }),
        row({ node_id: 'any', block: 'trigger.github', config: { events: ['push'] } }),
        row({ node_id: 'tick', block: 'trigger.cron', config: { schedule: '* * * * *' } }),
      ],
      'u-admin',
    );
    expect(catalog.github).toEqual([
      { graph_id: 'g', version: 3, node_id: 'gh', events: ['pull_request.opened'], repository: 'acme/app', user_id: 'u-admin' },
      { graph_id: 'g', version: 3, node_id: 'any', events: ['push'], user_id: 'u-admin' },
    ]);
    expect(catalog.webhooks.size).toBe(0);
  });
});
