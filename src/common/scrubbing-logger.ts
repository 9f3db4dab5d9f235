// A pino Logger whose every line passes through a SecretScrubber first: the logger a block gets for an
// attempt (BlockContext.logger), so a block that logs what a server told it cannot log a secret.
import type { Logger } from 'pino';
import type { SecretScrubber } from './secret-scrubber.js';

const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** `logger`, with the arguments of every log call (and of every child's) scrubbed. */
export function scrubbingLogger(logger: Logger, scrubber: SecretScrubber): Logger {
  if (scrubber.empty) return logger;
  return new Proxy(logger, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver) as unknown;
      if (typeof member !== 'function' || typeof property !== 'string') return member;
      if (LOG_METHODS.has(property)) {
        return (...args: unknown[]) =>
          (member as (...a: unknown[]) => void).apply(
            target,
            args.map((arg) => scrubLogArgument(arg, scrubber)),
          );
      }
      if (property === 'child') {
        return (bindings: Record<string, unknown>, options?: unknown) => scrubbingLogger(target.child(scrubber.value(bindings), options as never), scrubber);
      }
      return (member as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** A log argument without secrets: text, JSON values, and Errors (message, stack and own fields). */
export function scrubLogArgument(arg: unknown, scrubber: SecretScrubber): unknown {
  if (arg instanceof Error) return scrubError(arg, scrubber);
  if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
    const record = arg as Record<string, unknown>;
    const errorKeys = Object.keys(record).filter((key) => record[key] instanceof Error);
    if (errorKeys.length === 0) return scrubber.value(arg);
    const copy: Record<string, unknown> = { ...record };
    for (const key of errorKeys) copy[key] = scrubError(record[key] as Error, scrubber);
    for (const key of Object.keys(copy)) if (!errorKeys.includes(key)) copy[key] = scrubber.value(copy[key]);
    return copy;
  }
  return scrubber.value(arg);
}

/**
 * A copy of `error` (same prototype, so `instanceof` and `code` still hold) whose message, stack,
 * `details` and other own fields are scrubbed; the error itself when nothing in it is secret.
 */
export function scrubError<E extends Error>(error: E, scrubber: SecretScrubber): E {
  if (scrubber.empty) return error;
  const descriptors = Object.getOwnPropertyDescriptors(error) as Record<string, PropertyDescriptor>;
  let changed = false;
  for (const descriptor of Object.values(descriptors)) {
    if (!('value' in descriptor)) continue;
    const value = descriptor.value as unknown;
    const clean = value instanceof Error ? scrubError(value, scrubber) : scrubber.value(value);
    if (clean !== value) {
      descriptor.value = clean;
      changed = true;
    }
  }
  if (!changed) return error;
  return Object.create(Object.getPrototypeOf(error) as object, descriptors) as E;
}
