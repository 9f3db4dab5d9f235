// The boundary every attempt's outcome passes through on its way out (stored, routed, streamed, notified):
// the secrets of the credentials resolved for the attempt are replaced by `[secret:<name>]` in its error
// (message and any other field), in every yield (collected or streamed), and in what it logs.
import type { BlockContext, BlockDefinition } from '../../blocks/block.types.js';
import { SecretScrubber } from '../../common/secret-scrubber.js';
import { scrubbingLogger } from '../../common/scrubbing-logger.js';
import { executeAttempt, type AttemptLimits, type AttemptOutcome, type BlockAttemptFn } from './block-attempt.js';

/** executeAttempt with the attempt's secrets scrubbed from everything that leaves it. */
export async function executeScrubbedAttempt(
  run: BlockAttemptFn,
  request: { block: BlockDefinition; inputs: Record<string, unknown>; context: Omit<BlockContext, 'signal'> },
  limits: AttemptLimits,
  controller: AbortController,
  onYield?: (pin: string, value: unknown) => void | Promise<void>,
): Promise<AttemptOutcome> {
  const scrubber = SecretScrubber.of(Object.values(request.context.credentials));
  if (scrubber.empty) return executeAttempt(run, request, limits, controller, onYield);
  const context = { ...request.context, logger: scrubbingLogger(request.context.logger, scrubber) };
  const streamed = onYield ? (pin: string, value: unknown) => onYield(pin, scrubber.value(value)) : undefined;
  return scrubOutcome(await executeAttempt(run, { ...request, context }, limits, controller, streamed), scrubber);
}

export function scrubOutcome(outcome: AttemptOutcome, scrubber: SecretScrubber): AttemptOutcome {
  if (outcome.ok) return { ok: true, yields: outcome.yields.map(([pin, value]) => [pin, scrubber.value(value)]) };
  return { ok: false, error: scrubber.value(outcome.error) };
}
