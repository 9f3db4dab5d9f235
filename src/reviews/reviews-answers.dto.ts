// Answer shapes of /api/reviews for the OpenAPI document; reviews.views.ts builds them.
import { apiSchema, nullable, pageOf, TIME } from '../common/api-docs.dto.js';

export const REVIEW = apiSchema('Review', {
  type: 'object',
  required: ['id', 'execution_id', 'node_id', 'graph_id', 'title', 'body', 'data', 'decisions', 'status', 'decision', 'created_at', 'expires_at'],
  properties: {
    id: { type: 'string' },
    execution_id: { type: 'string' },
    node_id: { type: 'string' },
    graph_id: { type: 'string' },
    title: { type: 'string' },
    body: { type: 'string', description: 'Markdown' },
    data: { description: 'What the reviewer looks at (any JSON)' },
    decisions: { type: 'array', items: { type: 'string', enum: ['approve', 'reject', 'edit'] } },
    status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'timed_out', 'cancelled'] },
    decision: nullable({
      type: 'object',
      required: ['decision', 'by', 'at', 'comment'],
      properties: {
        decision: { type: 'string' },
        by: { type: 'string', nullable: true, description: 'The handle of who decided; null on a timeout' },
        at: TIME,
        comment: { type: 'string', nullable: true },
      },
    }),
    created_at: TIME,
    expires_at: TIME,
  },
});

export const REVIEW_PAGE = apiSchema('ReviewPage', pageOf(REVIEW));
