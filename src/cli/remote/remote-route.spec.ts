import { describe, expect, it } from '@jest/globals';
import { remoteRoute } from './remote-route.js';

describe('remoteRoute', () => {
  const cases: Array<[string, string[], NodeJS.ProcessEnv, boolean]> = [
    ['push always goes to a server', ['push'], {}, true],
    ['executions, with or without a subcommand', ['executions', 'list', '--json'], {}, true],
    ['the executions group help', ['executions', '--help'], {}, true],
    ['reviews decide', ['reviews', 'decide', 'r1', 'approve'], {}, true],
    ['propose always goes to a server', ['propose', 'made-by-api', '--json'], {}, true],
    ['credentials set', ['credentials', 'set', 'my-key', '--provider', 'openai'], {}, true],
    ['credentials rotate stays local, even with TRELLIS_SERVER', ['credentials', 'rotate'], { TRELLIS_SERVER: 'http://h' }, false],
    ['plan stays local without a server', ['plan'], {}, false],
    ['plan --server', ['plan', '--server', 'http://h'], {}, true],
    ['plan --server=url', ['plan', '--server=http://h'], {}, true],
    ['run with TRELLIS_SERVER', ['run', 'hello', '--input', 'who=Ada'], { TRELLIS_SERVER: 'http://h' }, true],
    ['a blank TRELLIS_SERVER is unset', ['run', 'hello'], { TRELLIS_SERVER: '  ' }, false],
    ['keys create --server', ['keys', 'create', '--server', 'http://h'], {}, true],
    ['start stays local with TRELLIS_SERVER', ['start'], { TRELLIS_SERVER: 'http://h' }, false],
    ['validate stays local with --server', ['validate', '--server', 'http://h'], {}, false],
    ['no command', ['--help'], { TRELLIS_SERVER: 'http://h' }, false],
  ];
  it.each(cases)('%s', (_title, args, env, remote) => {
    expect(remoteRoute(args, env)).toBe(remote);
  });
});
