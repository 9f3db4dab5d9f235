// The agent the review recovery tests park: its input goes to an admin's review, and what is approved comes out.
import type { DataSource } from 'typeorm';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';

export function saveGuardedAgent(dataSource: DataSource): ReturnType<typeof saveAgent> {
  return saveAgent(dataSource, {
    name: 'guarded',
    nodes: {
      text: node('input', { name: 'text', type: 'string' }),
      review: node('human.review', { title: 'Ship it?', reviewers: { roles: ['admin'] } }),
      approved: node('output', { name: 'approved' }),
    },
    links: [link('text.value', 'review.data'), link('review.approved', 'approved.value')],
  });
}
