// `github.issue.create`: opens an issue.
import { defineBlock, optional, Type } from '../../pins.js';
import { GITHUB_BLOCK, openGithubSession, REPOSITORY_PIN } from './github-client.js';
import { blockErrors, OUTBOUND_ERRORS, GITHUB_ERRORS } from '../../block-errors.catalog.js';

const ID = 'github.issue.create';

export const githubIssueCreateBlock = defineBlock({
  id: ID,
  description: 'Opens an issue and yields its number and URL. Side effects: a retried or re-run attempt opens another issue.',
  ...GITHUB_BLOCK,
  inputs: {
    repository: REPOSITORY_PIN,
    title: Type.String({ minLength: 1, description: "The issue's title." }),
    body: optional(Type.String({ description: "The issue's text, in GitHub Markdown." })),
    labels: optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'Labels to put on the issue (they must exist or the token must be allowed to create them).' }),
    ),
  },
  outputs: {
    number: Type.Integer({ description: "The new issue's number." }),
    url: Type.String({ description: "The issue's address on github.com (html_url)." }),
  },
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...GITHUB_ERRORS),
  async *run(inputs, context) {
    const github = openGithubSession(ID, inputs.repository, context);
    const { data } = await github.call(`repository ${inputs.repository}`, (request) =>
      github.octokit.rest.issues.create({
        owner: github.owner,
        repo: github.repo,
        title: inputs.title,
        ...(inputs.body !== undefined ? { body: inputs.body } : {}),
        ...(inputs.labels?.length ? { labels: inputs.labels } : {}),
        request,
      }),
    );
    yield ['number', data.number] as const;
    yield ['url', data.html_url] as const;
  },
});
