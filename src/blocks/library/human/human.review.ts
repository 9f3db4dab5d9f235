// `human.review`: a person approves, rejects or edits a value before the agent goes on (release-2.md
// section 3). Only the engine runs it: the node waits without a worker slot on a review row that a
// reviewer decides through the API or a signed link, or that times out (engine/wait-suspensions.ts).
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, optional, Type, withDefault } from '../../pins.js';
import { blockErrors } from '../../block-errors.catalog.js';

export const humanReviewBlock = defineBlock({
  id: 'human.review',
  description:
    'Asks a person to decide on `data`: reviewers (default the agent owner) get a REVIEW_REQUESTED notification and decide through the API or a signed link. Yields approved (the data, as edited), or rejected ({data, comment}), and decision ({decision, by, at, comment}). Waits without a worker slot until decided or `timeout` (then on_timeout: reject, approve, or fail with REVIEW_TIMEOUT).',
  category: 'human',
  suspend: 'review',
  inputs: {
    title: Type.String({ minLength: 1, maxLength: 200, description: 'What to decide, in a line.' }),
    body: withDefault(Type.String({ description: 'Details for the reviewer, in Markdown (raw HTML is not rendered).' }), ''),
    data: withDefault(anyValue({ description: 'The value under review.' }), null),
    reviewers: optional(
      Type.Object(
        {
          users: withDefault(Type.Array(Type.String()), []),
          roles: withDefault(Type.Array(Type.Union([Type.Literal('admin'), Type.Literal('user')])), []),
        },
        { additionalProperties: false, description: 'Who may decide (a constant): {users: [handles], roles: [admin|user]}. Default: the agent owner.' },
      ),
    ),
    decisions: withDefault(
      Type.Array(Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('edit')]), {
        minItems: 1,
        description: 'The decisions offered (a constant); edit lets a reviewer approve with changed data and needs schema.',
      }),
      ['approve', 'reject'],
    ),
    schema: optional(Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON Schema that edited data must match.' })),
    timeout: withDefault(Type.String({ format: 'duration', description: 'How long the review stays open (default 7d).' }), '7d'),
    on_timeout: withDefault(
      Type.Union([Type.Literal('reject'), Type.Literal('approve'), Type.Literal('fail')], { description: 'What a timeout means.' }),
      'reject',
    ),
  },
  outputs: {
    approved: anyValue({ description: 'The data, as approved (edited when the decision was edit).' }),
    rejected: Type.Object({ data: anyValue(), comment: Type.Union([Type.String(), Type.Null()]) }, { description: 'The data and the comment of a rejection.' }),
    decision: Type.Object(
      { decision: Type.String(), by: Type.Union([Type.String(), Type.Null()]), at: Type.String(), comment: Type.Union([Type.String(), Type.Null()]) },
      { description: 'Who decided what and when (by: null on timeout).' },
    ),
  },
  yields: { sometimes: ['approved', 'rejected'] },
  cost: 0,
  errors: blockErrors('REVIEW_TIMEOUT', 'REVIEW_LIMIT', 'NEEDS_ENGINE'),
  // Never run in a slot (suspend above): the engine keeps the wait.
  // eslint-disable-next-line require-yield
  async *run() {
    throw new BlockError(
      BlockErrorCode.NEEDS_ENGINE,
      'human.review waits for a person, so it only runs inside an execution on a server: run the agent, or mock the node in its test.',
    );
  },
});
