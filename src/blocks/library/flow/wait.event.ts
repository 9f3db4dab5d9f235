// `wait.event`: waits until something outside posts an event on a key (POST
// /webhooks/{agent}/{node}/events/{key}), release-2.md section 3. Only the engine runs it: the node waits
// without a worker slot; the earliest waiter on a key consumes each event once.
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, Type, withDefault } from '../../pins.js';
import { blockErrors } from '../../block-errors.catalog.js';

export const waitEventBlock = defineBlock({
  id: 'wait.event',
  description:
    'Waits for an event posted to /webhooks/{agent}/{node}/events/{key}, then yields its JSON body on event and its filtered headers on headers. Waits without a worker slot until `timeout` (default 1h; on_timeout fail with EVENT_TIMEOUT, or continue with event null).',
  category: 'flow',
  suspend: 'event',
  credentials: { secret: { provider: 'webhook', types: ['webhook_secret'], optional: true } },
  inputs: {
    key: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,200}$', description: 'The key the event is posted on (1-200 of A-Z a-z 0-9 . _ : -).' }),
    timeout: withDefault(Type.String({ format: 'duration', description: 'How long to wait (default 1h).' }), '1h'),
    on_timeout: withDefault(
      Type.Union([Type.Literal('fail'), Type.Literal('continue')], { description: 'fail (EVENT_TIMEOUT) or continue (event: null).' }),
      'fail',
    ),
  },
  outputs: {
    event: anyValue({ description: 'The JSON body of the event (null after a timeout with continue).' }),
    headers: dict(Type.String(), { description: 'The request headers, filtered as for webhooks.' }),
  },
  cost: 0,
  errors: blockErrors('EVENT_TIMEOUT', 'NEEDS_ENGINE'),
  // Never run in a slot (suspend above): the engine keeps the wait.
  // eslint-disable-next-line require-yield
  async *run() {
    throw new BlockError(
      BlockErrorCode.NEEDS_ENGINE,
      'wait.event waits for an event posted to the server, so it only runs inside an execution on a server: run the agent, or mock the node in its test.',
    );
  },
});
