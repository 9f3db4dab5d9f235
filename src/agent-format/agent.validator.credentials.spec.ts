// The validator's rules for credentials, the owner, notification channels and what server settings it can check.
import { describe, expect, it } from '@jest/globals';
import { errorsOf, expectProblemAt, problemsOf, yaml } from '../../test/agents/fixtures/check.js';
import { hello } from './agent.validator.fixtures.js';

describe('credentials and owner', () => {
  const slack = (credentials: string, owner = '') =>
    yaml(
      'name: notify',
      ...(owner ? [owner] : []),
      'nodes:',
      '  post:',
      '    block: slack.post',
      '    inputs: { text: hi }',
      ...(credentials ? [credentials] : []),
    );

  it('requires a credential field without a system default', () => {
    expectProblemAt(errorsOf(slack('')), 3, 3, /node "post" \(slack\.post\) needs a slack credential: add credentials: \{ webhook: <credential name> \}/);
  });

  it('accepts an unmapped field that has a system default (GITHUB_TOKEN)', () => {
    const text = yaml('name: gh', 'nodes:', '  add:', '    block: github.labels.add', '    inputs: { repository: acme/app, number: 1, labels: [x] }');
    expect(problemsOf(text)).toEqual([]);
  });

  it('reports an unknown credential field at its key', () => {
    expectProblemAt(
      errorsOf(slack('    credentials: { webhok: ops-slack }')),
      6,
      20,
      /slack\.post has no credential field "webhok"\. Did you mean "webhook"\?/,
    );
  });

  it('warns, without failing, about names it cannot check', () => {
    const problems = problemsOf(slack('    credentials: { webhook: ops-slack }'));
    expect(problems).toHaveLength(1);
    expectProblemAt(problems, 6, 29, /credential "ops-slack" can't be checked without a database/, 'warning');
  });

  it('resolves names where a resolver is given: missing, unknown, wrong provider, wrong type', () => {
    const credentials = {
      describe: 'config/credentials.yaml',
      check: (name: string) =>
        name === 'ops-slack'
          ? { found: true, certain: true, provider: 'slack', type: 'secret_url' }
          : name === 'gh'
            ? { found: true, certain: true, provider: 'github', type: 'api_key' }
            : name === 'slack-key'
              ? { found: true, certain: true, provider: 'slack', type: 'api_key' }
              : { found: false, certain: name === 'gone' },
    };
    expect(problemsOf(slack('    credentials: { webhook: ops-slack }'), { context: { credentials } })).toEqual([]);
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: gone }'), { context: { credentials } }),
      6,
      29,
      /no credential named "gone" exists in config\/credentials\.yaml/,
    );
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: maybe }'), { context: { credentials } }),
      6,
      29,
      /credential "maybe" is not in config\/credentials\.yaml; it must exist in the database/,
      'warning',
    );
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: gh }'), { context: { credentials } }),
      6,
      29,
      /credential "gh" is for github, but slack\.post needs a slack credential/,
    );
    expectProblemAt(
      problemsOf(slack('    credentials: { webhook: slack-key }'), { context: { credentials } }),
      6,
      29,
      /is of type api_key, but "webhook" of slack\.post takes secret_url/,
    );
  });

  it('says the owner cannot be checked without a user lookup, and checks it with one', () => {
    const text = slack('    credentials: { webhook: x }', 'owner: ops');
    expectProblemAt(problemsOf(text), 2, 8, /owner "ops" can't be checked without a database; sync checks that the user exists/, 'warning');
    expectProblemAt(problemsOf(text, { context: { users: { exists: () => false } } }), 2, 8, /owner "ops" is not a user/);
    expect(problemsOf(text, { context: { users: { exists: (h) => h === 'ops' } } }).filter((p) => p.pointer === '/owner')).toEqual([]);
  });

  it('checks notification channels where they are known', () => {
    const text = hello({}, ['notify: { on_failure: [ops-slak] }']);
    expectProblemAt(
      problemsOf(text, { context: { channels: { names: () => ['ops-slack'] } } }),
      16,
      24,
      /notification channel "ops-slak" is not defined in config\/notifications\.yaml\. Known channels: ops-slack/,
    );
    expect(problemsOf(text)).toEqual([]);
  });

  it('reports human.review when server.public_url is known to be unset, and only then', () => {
    const text = hello({ 7: '    block: human.review', 9: '      title: Send it?' });
    const problems = problemsOf(text, { context: { publicUrl: null } });
    const warning = expectProblemAt(
      problems,
      7,
      12,
      /server\.public_url is not set, so email, Slack and webhook notifications go out without one .*TRELLIS_SERVER__PUBLIC_URL/,
      'warning',
    );
    expect(warning.node).toBe('greet');
    expect(problemsOf(text, { context: { publicUrl: 'https://trellis.example.com' } }).filter((p) => /public_url/.test(p.message))).toEqual([]);
    expect(problemsOf(text).filter((p) => /public_url/.test(p.message))).toEqual([]);
    expect(problemsOf(hello(), { context: { publicUrl: null } }).filter((p) => /public_url/.test(p.message))).toEqual([]);
  });
});
