// Answer shapes of the GitOps routes (proposals and drift) for the OpenAPI document.
import { apiSchema } from '../../common/api-docs.dto.js';

export const PROPOSAL = apiSchema('Proposal', {
  type: 'object',
  required: ['graph', 'version', 'file', 'branch', 'hash', 'pull_request'],
  properties: {
    graph: { type: 'string' },
    version: { type: 'integer' },
    file: { type: 'string', description: "The agent file's path in the agents repository." },
    branch: { type: 'string' },
    hash: { type: 'string', description: 'The content hash the file agent will have: the API graph’s own.' },
    pull_request: { type: 'object', required: ['number', 'url'], properties: { number: { type: 'integer' }, url: { type: 'string' } } },
  },
});

export const DRIFT_REPORT = apiSchema('DriftReport', {
  type: 'object',
  required: ['api_graphs', 'pinned'],
  properties: {
    api_graphs: {
      type: 'array',
      description: 'Active API graphs the caller may see: they live only in the database.',
      items: {
        type: 'object',
        required: ['id', 'version', 'hash', 'created_by'],
        properties: { id: { type: 'string' }, version: { type: 'integer' }, hash: { type: 'string' }, created_by: { type: 'string', nullable: true } },
      },
    },
    pinned: {
      type: 'array',
      description: "File agents pinned to a version other than their file's newest one.",
      items: {
        type: 'object',
        required: ['id', 'file', 'pinned_version', 'file_version'],
        properties: {
          id: { type: 'string' },
          file: { type: 'string', nullable: true },
          pinned_version: { type: 'integer' },
          file_version: { type: 'integer' },
        },
      },
    },
  },
});
