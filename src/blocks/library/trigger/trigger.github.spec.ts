import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { githubEventMatches, githubTriggerBlock } from './trigger.github.js';

const payload = { action: 'opened', number: 7, repository: { full_name: 'acme/app' }, sender: { login: 'ada' } };

describe('trigger.github', () => {
  it('passes a delivery through, reading action, repository and sender from the payload', async () => {
    const outputs = Object.fromEntries(
      await run(githubTriggerBlock, { events: ['pull_request.opened'], event: { event: 'pull_request', payload, delivery_id: 'd-1' } }),
    );
    expect(outputs).toEqual({ event: 'pull_request', action: 'opened', payload, delivery_id: 'd-1', repository: 'acme/app', sender: 'ada' });
  });

  it('makes up a delivery id for a replay and yields null for what the event lacks', async () => {
    const outputs = Object.fromEntries(await run(githubTriggerBlock, { events: ['push'], event: { event: 'push' } }));
    expect(outputs).toMatchObject({ event: 'push', action: null, payload: {}, repository: null, sender: null });
    expect(outputs.delivery_id).toMatch(/^replay-/);
  });

  it('matches events, event.action pairs and the repository (case-insensitive)', () => {
    expect(githubEventMatches({ events: ['pull_request'] }, { event: 'pull_request', action: 'closed' })).toBe(true);
    expect(githubEventMatches({ events: ['pull_request.opened'] }, { event: 'pull_request', action: 'closed' })).toBe(false);
    expect(githubEventMatches({ events: ['push'], repository: 'Acme/App' }, { event: 'push', repository: 'acme/app' })).toBe(true);
    expect(githubEventMatches({ events: ['push'], repository: 'acme/app' }, { event: 'push', repository: 'acme/other' })).toBe(false);
  });

  it('refuses a delivery this trigger would not fire for', async () => {
    const error = await runError(githubTriggerBlock, { events: ['pull_request.closed'], repository: 'acme/app', event: { event: 'pull_request', payload } });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('the delivery (pull_request.opened from acme/app) does not match this trigger (pull_request.closed from acme/app)');
  });

  it('checks events and repository names, suggesting close events', async () => {
    const error = await runError(githubTriggerBlock, { events: ['pull_requests', 'issue_comment.created'], repository: 'acme', event: { event: 'push' } });
    expect(error.message).toContain('events (at /0): "pull_requests" is not a GitHub webhook event');
    expect(error.message).toContain('Did you mean "pull_request"');
    expect(error.message).toContain('repository: expected a repository as owner/name, such as acme/app, got the text "acme"');
    expect((await runError(githubTriggerBlock, { events: [] })).message).toContain('events: must NOT have fewer than 1 items');
  });

  it('needs a delivery to pass through when run directly', async () => {
    expect((await runError(githubTriggerBlock, { events: ['push'] })).message).toContain('needs a delivery to pass through');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(githubTriggerBlock, { events: ['push'], event: { event: 'push' } }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
