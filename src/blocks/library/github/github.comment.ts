// `github.comment`: comments on an issue or a pull request.
import { defineBlock, Type } from '../../pins.js';
import { GITHUB_CREDENTIALS, NUMBER_PIN, openGithubSession, REPOSITORY_PIN } from './github-client.js';

const ID = 'github.comment';

export const githubCommentBlock = defineBlock({
  id: ID,
  description: 'Adds a comment to an issue or pull request and yields its id and URL. Side effects: a retried or re-run attempt posts the comment again.',
  category: 'github',
  inputs: {
    repository: REPOSITORY_PIN,
    number: NUMBER_PIN,
    body: Type.String({ minLength: 1, description: 'The comment, in GitHub Markdown.' }),
  },
  outputs: {
    comment_id: Type.Integer({ description: "The new comment's id." }),
    url: Type.String({ description: "The comment's address on github.com (html_url)." }),
  },
  credentials: GITHUB_CREDENTIALS,
  cost: 1,
  sideEffects: true,
  async *run(inputs, context) {
    const github = openGithubSession(ID, inputs.repository, context);
    const { data } = await github.call(`issue or pull request ${inputs.repository}#${inputs.number}`, (request) =>
      github.octokit.rest.issues.createComment({ owner: github.owner, repo: github.repo, issue_number: inputs.number, body: inputs.body, request }),
    );
    yield ['comment_id', data.id] as const;
    yield ['url', data.html_url] as const;
  },
});
