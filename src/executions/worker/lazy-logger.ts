// A child logger made only when something logs through it. The runner of every execution and the attempt
// of every node get one, and most never log: pino's child() serialises its bindings at once, which cost
// about 1% of the worker's CPU in bench throughput (6 children per 5-node execution).
import type { Logger } from 'pino';

export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= parent.child(bindings));
  return new Proxy({} as Logger, {
    get(_target, key) {
      const logger = real();
      const value: unknown = Reflect.get(logger, key, logger);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(logger) : value;
    },
    set(_target, key, value) {
      return Reflect.set(real(), key, value);
    },
    has(_target, key) {
      return Reflect.has(real(), key);
    },
  });
}
