import { describe, expect, it } from '@jest/globals';
import type { GithubTrigger } from '../webhooks/trigger-catalog.js';
import { describeDelivery, matchingTriggers, parseGithubPayload, triggerOutputs } from './github-delivery.js';
import { isAgentsRepository, repositoryFullName } from './github-events.js';

const payload = { action: 'opened', repository: { full_name: 'acme/app' }, sender: { login: 'octocat' }, number: 1 };

describe('parseGithubPayload', () => {
  it('parses JSON and the form-encoded payload field', () => {
    expect(parseGithubPayload(Buffer.from(JSON.stringify(payload)), 'application/json')).toEqual({ ok: true, payload });
    const form = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    expect(parseGithubPayload(Buffer.from(form), 'application/x-www-form-urlencoded')).toEqual({ ok: true, payload });
  });
  it.each([
    ['an empty body', '', 'application/json', /empty/],
    ['broken JSON', '{', 'application/json', /not valid JSON/],
    ['a JSON list', '[1]', 'application/json', /not a JSON object/],
    ['a form without payload', 'a=1', 'application/x-www-form-urlencoded', /no payload field/],
  ] as const)('refuses %s', (_name, text, type, reason) => {
    const parsed = parseGithubPayload(Buffer.from(text), type);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('describeDelivery and triggerOutputs', () => {
  it('takes action, repository and sender from the payload', () => {
    const delivery = describeDelivery('pull_request', 'd-1', payload);
    expect(triggerOutputs(delivery)).toEqual({
      event: 'pull_request',
      action: 'opened',
      payload,
      delivery_id: 'd-1',
      repository: 'acme/app',
      sender: 'octocat',
    });
  });
  it('answers null for what the payload lacks', () => {
    expect(describeDelivery('push', 'd-2', {})).toMatchObject({ action: null, repository: null, sender: null });
  });
});

describe('matchingTriggers', () => {
  const trigger = (node_id: string, events: string[], repository?: string): GithubTrigger => ({
    graph_id: 'g',
    version: 1,
    node_id,
    events,
    user_id: 'u',
    ...(repository ? { repository } : {}),
  });
  const triggers = [
    trigger('any-pr', ['pull_request']),
    trigger('opened', ['pull_request.opened']),
    trigger('closed', ['pull_request.closed']),
    trigger('acme-only', ['pull_request'], 'ACME/app'),
    trigger('other-repo', ['pull_request'], 'acme/other'),
    trigger('issues', ['issues']),
  ];
  it('matches by event, event.action and repository (case-insensitive)', () => {
    expect(matchingTriggers(triggers, describeDelivery('pull_request', 'd', payload)).map((t) => t.node_id)).toEqual(['any-pr', 'opened', 'acme-only']);
  });
  it('matches nothing for an unrelated event', () => {
    expect(matchingTriggers(triggers, describeDelivery('star', 'd', payload))).toEqual([]);
  });
});

describe('isAgentsRepository', () => {
  it.each([
    ['acme/agents', 'acme/agents', true],
    ['Acme/Agents', 'acme/agents', true],
    ['https://github.com/acme/agents.git', 'acme/agents', true],
    ['git@github.com:acme/agents.git', 'acme/agents', true],
    ['acme/agents', 'acme/app', false],
    [undefined, 'acme/agents', false],
    ['acme/agents', null, false],
  ] as const)('%s vs %s', (configured, repository, expected) => {
    expect(isAgentsRepository(configured, repository)).toBe(expected);
  });
  it('names a URL as owner/name', () => {
    expect(repositoryFullName('https://github.example.com/org/repo/')).toBe('org/repo');
  });
});
