// The platform's AttemptSecretsPort (engine/scrubbed-attempt.ts): the engine scrubs an attempt's outcome,
// streamed yields and log lines through it, and both runners (the durable worker, the in-memory runner)
// inject this one, built on common/secret-scrubber.ts and common/scrubbing-logger.ts.
import { SecretScrubber } from '../common/secret-scrubber.js';
import { scrubbingLogger } from '../common/scrubbing-logger.js';
import type { AttemptSecrets, AttemptSecretsPort } from './engine/scrubbed-attempt.js';

export const attemptSecrets: AttemptSecretsPort = (credentials): AttemptSecrets => {
  const scrubber = SecretScrubber.of(credentials);
  return {
    empty: scrubber.empty,
    value: (value) => scrubber.value(value),
    logger: (logger) => scrubbingLogger(logger, scrubber),
  };
};
