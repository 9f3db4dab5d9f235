// `github.comment`: comments on an issue or a pull request.
import { defineBlock, Type } from '../../pins.js';
import { GITHUB_BLOCK, NUMBER_PIN, openGithubSession, REPOSITORY_PIN } from './github-client.js';
import { blockErrors, OUTBOUND_ERRORS, GITHUB_ERRORS } from '../../block-errors.catalog.js';

const ID = 'github.comment';

export const githubCommentBlock = defineBlock({
  id: ID,
  description: 'Adds a comment to an issue or pull request and yields its id and URL. Side effects: a retried or re-run attempt posts the comment again.',
  ...GITHUB_BLOCK,
  inputs: {
    repository: REPOSITORY_PIN,
    number: NUMBER_PIN,
    body: Type.String({ minLength: 1, description: 'The comment, in GitHub Markdown.' }),
  },
  outputs: {
    comment_id: Type.Integer({ description: "The new comment's id." }),
    url: Type.String({ description: "The comment's address on github.com (html_url)." }),
  },
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...GITHUB_ERRORS),
  async *run(inputs, context) {
    const github = openGithubSession(ID, inputs.repository, context);
    const { data } = await github.callOnIssue(inputs.number, (params) => github.octokit.rest.issues.createComment({ ...params, body: inputs.body }));
    yield ['comment_id', data.id] as const;
    yield ['url', data.html_url] as const;
  },
});
