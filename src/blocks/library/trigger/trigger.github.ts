// `trigger.github`: starts an execution for each matching GitHub webhook delivery to /webhooks/github.
// The triggers module decides matches with `githubEventMatches` and seeds the node with the delivery;
// running the block directly passes a given `event` through (tests and replays), checked the same way.
import { randomUUID } from 'node:crypto';
import { invalidPin } from '../../blocks.errors.js';
import { anyValue, defineBlock, dict, optional, Type } from '../../pins.js';

const REPOSITORY = '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$';

/** Whether a delivery (event, action, repository full name) fires a trigger with these inputs. */
export function githubEventMatches(
  trigger: { events: readonly string[]; repository?: string },
  delivery: { event: string; action?: string | null; repository?: string | null },
): boolean {
  const names = delivery.action ? [delivery.event, `${delivery.event}.${delivery.action}`] : [delivery.event];
  if (!trigger.events.some((e) => names.includes(e))) return false;
  if (!trigger.repository) return true;
  return (delivery.repository ?? '').toLowerCase() === trigger.repository.toLowerCase();
}

export const githubTriggerBlock = defineBlock({
  id: 'trigger.github',
  description:
    'Starts an execution for each GitHub webhook delivery (POST /webhooks/github) whose event matches `events` (pull_request, or pull_request.opened for one action) and, when set, whose repository is `repository`. Yields the event, action, payload, delivery id, repository (owner/name) and sender (login).',
  category: 'trigger',
  trigger: true,
  inputs: {
    events: Type.Array(Type.String({ format: 'github_event' }), {
      minItems: 1,
      uniqueItems: true,
      description: 'Events, or event.action pairs, such as [pull_request.opened, pull_request.synchronize].',
    }),
    repository: optional(
      Type.String({
        pattern: REPOSITORY,
        description: 'Only deliveries from this repository (owner/name).',
        'x-expected': 'a repository as owner/name, such as acme/app',
      }),
    ),
    event: optional(
      Type.Object(
        {
          event: Type.String({ description: 'The X-GitHub-Event name, such as pull_request.' }),
          action: optional(Type.Union([Type.String(), Type.Null()])),
          payload: optional(dict(anyValue())),
          delivery_id: optional(Type.String()),
          repository: optional(Type.Union([Type.String(), Type.Null()])),
          sender: optional(Type.Union([Type.String(), Type.Null()])),
        },
        {
          additionalProperties: false,
          description: 'A delivery to pass through when the block is run directly (tests and replays); the server sets it from the real delivery.',
        },
      ),
    ),
  },
  outputs: {
    event: Type.String({ description: 'The event name, such as pull_request.' }),
    action: Type.Union([Type.String(), Type.Null()], { description: "The payload's action, such as opened; null for events without one." }),
    payload: dict(anyValue(), { description: 'The whole webhook payload.' }),
    delivery_id: Type.String({ description: 'The X-GitHub-Delivery id.' }),
    repository: Type.Union([Type.String(), Type.Null()], { description: 'The repository as owner/name; null when the event has none.' }),
    sender: Type.Union([Type.String(), Type.Null()], { description: 'The login of the user who caused the event.' }),
  },
  cost: 0,
  async *run(inputs) {
    const event = inputs.event;
    if (!event) {
      throw invalidPin('trigger.github', 'event', 'running trigger.github directly needs a delivery to pass through: {event, action, payload}');
    }
    const payload = event.payload ?? {};
    const action = event.action !== undefined ? event.action : typeof payload.action === 'string' ? payload.action : null;
    const repository = event.repository !== undefined ? event.repository : fullName(payload.repository);
    const sender = event.sender !== undefined ? event.sender : login(payload.sender);
    if (!githubEventMatches(inputs, { event: event.event, action, repository })) {
      const what = action ? `${event.event}.${action}` : event.event;
      const filter = inputs.repository ? ` from ${inputs.repository}` : '';
      throw invalidPin(
        'trigger.github',
        'event',
        `the delivery (${what}${repository ? ` from ${repository}` : ''}) does not match this trigger (${inputs.events.join(', ')}${filter})`,
      );
    }
    yield ['event', event.event] as const;
    yield ['action', action] as const;
    yield ['payload', payload] as const;
    yield ['delivery_id', event.delivery_id ?? `replay-${randomUUID()}`] as const;
    yield ['repository', repository] as const;
    yield ['sender', sender] as const;
  },
});

function fullName(repository: unknown): string | null {
  const name = (repository as { full_name?: unknown } | undefined)?.full_name;
  return typeof name === 'string' ? name : null;
}

function login(sender: unknown): string | null {
  const name = (sender as { login?: unknown } | undefined)?.login;
  return typeof name === 'string' ? name : null;
}
