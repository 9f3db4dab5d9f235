// `trellis validate` checks credential names and notification channels against config/ when it loads,
// and says so (without failing) when it does not.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultDeps, validateCommand } from '../../src/agents/agents.command.js';
import { yaml } from './fixtures/check.js';
import { capture, tempProject } from './fixtures/cli.js';

const AGENT = yaml(
  'name: notify',
  'notify: { on_failure: [ops-slack, pager] }',
  'nodes:',
  '  post:',
  '    block: slack.post',
  '    inputs: { text: hi }',
  '    credentials: { webhook: team-slack }',
  '  gh:',
  '    block: github.labels.add',
  '    inputs: { repository: acme/app, number: 1, labels: [x] }',
  '    credentials: { github: team-slack }',
);

describe('validate with config/', () => {
  let project: ReturnType<typeof tempProject>;
  beforeAll(() => {
    project = tempProject({
      'agents/notify.yaml': AGENT,
      'config/credentials.yaml': 'team-slack: { provider: slack, type: secret_url, env: { url: TEAM_SLACK_URL } }\n',
      'config/notifications.yaml': 'ops-slack: { type: slack, credential: team-slack }\n',
      'broken/config/default.yaml': 'executor: { concurrancy: 3 }\n',
      'broken/agents/notify.yaml': AGENT,
    });
  });
  afterAll(() => project.remove());

  it('resolves credential names and channels from config/, with the real blocks', async () => {
    const c = capture(project.dir, { TRELLIS_ENV: 'test' });
    expect(await validateCommand(undefined, 'text', c.io, defaultDeps)).toBe(1);
    expect(c.out().split('\n').filter(Boolean)).toEqual([
      'agents/notify.yaml:2:35: notification channel "pager" is not defined in config/notifications.yaml. Known channels: ops-slack.',
      expect.stringMatching(/^agents\/notify\.yaml:11:28: credential "team-slack" is for slack, but github\.labels\.add needs a github credential in "github"/),
    ]);
  });

  it('notes a configuration that does not load, and checks the rest (names it cannot see are warnings)', async () => {
    const c = capture(`${project.dir}/broken`, { TRELLIS_ENV: 'test' });
    expect(await validateCommand(undefined, 'text', c.io, defaultDeps)).toBe(0);
    expect(c.err()).toMatch(/^note: the configuration does not load, so credential names and notification channels are not checked:\n.*executor\.concurrancy: unknown key/s);
    expect(c.out().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^agents\/notify\.yaml:7:29: warning: credential "team-slack" can't be checked without a database/),
      expect.stringMatching(/^agents\/notify\.yaml:11:28: warning: credential "team-slack" can't be checked without a database/),
    ]);
  });
});
