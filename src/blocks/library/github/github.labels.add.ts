// `github.labels.add`: adds labels to an issue or pull request.
import { defineBlock, Type } from '../../pins.js';
import { GITHUB_BLOCK, NUMBER_PIN, openGithubSession, REPOSITORY_PIN } from './github-client.js';
import { blockErrors, OUTBOUND_ERRORS, GITHUB_ERRORS } from '../../block-errors.catalog.js';

const ID = 'github.labels.add';

export const githubLabelsAddBlock = defineBlock({
  id: ID,
  description:
    'Adds labels to an issue or pull request and yields every label now on it. Adding a label that is already there changes nothing, so a re-run is harmless.',
  ...GITHUB_BLOCK,
  inputs: {
    repository: REPOSITORY_PIN,
    number: NUMBER_PIN,
    labels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'The labels to add.' }),
  },
  outputs: {
    labels: Type.Array(Type.String(), { description: 'All labels on the issue or pull request afterwards.' }),
  },
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...GITHUB_ERRORS),
  async *run(inputs, context) {
    const github = openGithubSession(ID, inputs.repository, context);
    const { data } = await github.callOnIssue(inputs.number, (params) => github.octokit.rest.issues.addLabels({ ...params, labels: inputs.labels }));
    yield ['labels', data.map((label) => label.name)] as const;
  },
});
