// `github.pr.get`: reads a pull request, and optionally its diff (the diff media type).
import { anyValue, defineBlock, Type, withDefault } from '../../pins.js';
import { GITHUB_BLOCK, NUMBER_PIN, openGithubSession, REPOSITORY_PIN } from './github-client.js';
import { unexpectedAnswer } from './github.errors.js';
import { blockErrors, OUTBOUND_ERRORS, GITHUB_ERRORS } from '../../block-errors.catalog.js';

const ID = 'github.pr.get';

export const githubPrGetBlock = defineBlock({
  id: ID,
  description: "Reads a pull request (GitHub's pull request object) and, with include_diff, its unified diff. Reads only.",
  ...GITHUB_BLOCK,
  inputs: {
    repository: REPOSITORY_PIN,
    number: NUMBER_PIN,
    include_diff: withDefault(Type.Boolean({ description: 'Also yield the diff (one more request).' }), false),
  },
  outputs: {
    pull_request: anyValue({ description: "The pull request as GitHub's REST API gives it (title, state, user, head, base, additions, ...)." }),
    diff: Type.String({ description: 'The unified diff (only with include_diff).' }),
  },
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...GITHUB_ERRORS),
  async *run(inputs, context) {
    const github = openGithubSession(ID, inputs.repository, context);
    const what = `pull request ${inputs.repository}#${inputs.number}`;
    const params = { owner: github.owner, repo: github.repo, pull_number: inputs.number };
    const { data } = await github.call(what, (request) => github.octokit.rest.pulls.get({ ...params, request }));
    yield ['pull_request', data] as const;
    if (inputs.include_diff) {
      const { data: diff } = await github.call(`the diff of ${what}`, (request) =>
        github.octokit.rest.pulls.get({ ...params, mediaType: { format: 'diff' }, request }),
      );
      // GitHub sends the diff as text (charset=utf-8); a server that leaves the charset out gets bytes.
      const raw = diff as unknown;
      if (typeof raw === 'string') yield ['diff', raw] as const;
      else if (Object.prototype.toString.call(raw) === '[object ArrayBuffer]') yield ['diff', Buffer.from(raw as ArrayBuffer).toString('utf8')] as const;
      else throw unexpectedAnswer(`the diff of ${what}`, 'a diff as text');
    }
  },
});
