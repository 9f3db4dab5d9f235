// The boundary every attempt's outcome passes through on its way out (stored, routed, streamed, notified):
// the secrets of the credentials resolved for the attempt are replaced by `[secret:<name>]` in its error
// (message and any other field), in every yield (collected or streamed), and in what it logs. How a secret
// is found is the platform's (executions/attempt-secrets.ts over common/secret-scrubber.ts), injected
// through AttemptSecretsPort, so the engine stays pure.
import type { BlockContext, BlockDefinition, ResolvedCredential } from '../../blocks/block.types.js';
import { executeAttempt, type AttemptLimits, type AttemptOutcome, type BlockAttemptFn } from './block-attempt.js';

/** Hides one attempt's secrets in what leaves it. */
export interface AttemptSecrets {
  /** Nothing to hide: the attempt runs unwrapped. */
  readonly empty: boolean;
  /** `value` with every secret replaced (deeply, in any value). */
  value<T>(value: T): T;
  /** A logger whose every line (and every child's) is scrubbed the same way. */
  logger(logger: BlockContext['logger']): BlockContext['logger'];
}

/** Makes the AttemptSecrets of the credentials resolved for one attempt. */
export type AttemptSecretsPort = (credentials: readonly ResolvedCredential[]) => AttemptSecrets;

/** executeAttempt with the attempt's secrets scrubbed from everything that leaves it. */
export async function executeScrubbedAttempt(
  run: BlockAttemptFn,
  secretsOf: AttemptSecretsPort,
  request: { block: BlockDefinition; inputs: Record<string, unknown>; context: Omit<BlockContext, 'signal'> },
  limits: AttemptLimits,
  controller: AbortController,
  onYield?: (pin: string, value: unknown) => void | Promise<void>,
): Promise<AttemptOutcome> {
  const secrets = secretsOf(Object.values(request.context.credentials));
  if (secrets.empty) return executeAttempt(run, request, limits, controller, onYield);
  const context = { ...request.context, logger: secrets.logger(request.context.logger) };
  const streamed = onYield ? (pin: string, value: unknown) => onYield(pin, secrets.value(value)) : undefined;
  return scrubOutcome(await executeAttempt(run, { ...request, context }, limits, controller, streamed), secrets);
}

export function scrubOutcome(outcome: AttemptOutcome, secrets: AttemptSecrets): AttemptOutcome {
  if (outcome.ok) return { ok: true, yields: outcome.yields.map(([pin, value]) => [pin, secrets.value(value)]) };
  return { ok: false, error: secrets.value(outcome.error) };
}
