// `code.js`: a short synchronous JavaScript function body run in a QuickJS WebAssembly sandbox, in a worker
// of the sandbox pool (src/sandbox/): no host access (no process, require, import, fetch, timers), a time limit, a memory
// limit, and interruption when the run is stopped. What it returns (as JSON) is `result`; what it
// logs is `logs`; what it throws is the error.
import { DEFAULT_SANDBOX_SETTINGS } from '../../../sandbox/sandbox.types.js';
import { runSandboxed, sandboxFailure } from '../../block-sandbox.js';
import { BlockError, BlockErrorCode } from '../../blocks.errors.js';
import { anyValue, defineBlock, Type, withDefault } from '../../pins.js';
import { blockErrors, SANDBOX_ERRORS } from '../../block-errors.catalog.js';

export const CODE_TIMEOUT_DEFAULT_MS = 1_000;
export const CODE_TIMEOUT_MAX_MS = 5_000;

export const codeJsBlock = defineBlock({
  id: 'code.js',
  description:
    'Runs `code` as the body of function (input) { ... } in a QuickJS sandbox: synchronous JavaScript with no access to the host (no process, require, import, fetch or timers). What it returns, as JSON, is result (undefined becomes null); console.log lines are logs; what it throws fails the block with its message. Limits: timeout_ms (default 1 s, at most 5 s) and sandbox.memory (default 64 MiB).',
  category: 'code',
  inputs: {
    code: Type.String({
      minLength: 1,
      description: 'The function body, such as "return input.items.filter(i => i.done).length;".',
      'x-expected': 'non-empty JavaScript',
    }),
    input: withDefault(anyValue({ description: 'The value the code receives as `input`.' }), null),
    timeout_ms: withDefault(
      Type.Integer({ minimum: 1, maximum: CODE_TIMEOUT_MAX_MS, description: `Time limit in ms (at most ${CODE_TIMEOUT_MAX_MS}).` }),
      CODE_TIMEOUT_DEFAULT_MS,
    ),
  },
  outputs: {
    result: anyValue({ description: 'What the code returned, as JSON (null for undefined).' }),
    logs: Type.Array(Type.String(), { description: 'Lines written with console.log (and info, warn, error, debug).' }),
  },
  cost: 1,
  errors: blockErrors('CODE_ERROR', 'CODE_TIMEOUT', 'CODE_MEMORY_LIMIT', ...SANDBOX_ERRORS),
  async *run(inputs, context) {
    const outcome = await runSandboxed({ kind: 'js', code: inputs.code, inputJson: JSON.stringify(inputs.input ?? null) }, context, inputs.timeout_ms);
    const logs = outcome.logs ?? [];
    const details = { logs };
    switch (outcome.kind) {
      case 'ok': {
        let result: unknown;
        try {
          result = JSON.parse(outcome.json);
        } catch {
          throw new BlockError(
            BlockErrorCode.CODE_ERROR,
            "The code's result could not be read as JSON (was JSON.stringify replaced?). Return plain data.",
            details,
          );
        }
        yield ['result', result] as const;
        yield ['logs', logs] as const;
        return;
      }
      case 'error':
        throw new BlockError(BlockErrorCode.CODE_ERROR, `The code threw ${outcome.name}: ${outcome.message}${outcome.line ? ` (line ${outcome.line})` : ''}.`, {
          ...details,
          name: outcome.name,
          line: outcome.line,
        });
      case 'timeout':
        throw new BlockError(
          BlockErrorCode.CODE_TIMEOUT,
          `The code ran longer than its limit of ${inputs.timeout_ms} ms and was stopped (an endless loop?). Make it do less, or raise timeout_ms (at most ${CODE_TIMEOUT_MAX_MS}).`,
          details,
        );
      case 'memory':
        throw new BlockError(
          BlockErrorCode.CODE_MEMORY_LIMIT,
          `The code went past the sandbox's limits (${outcome.message}): at most ${Math.round((context.settings.sandbox ?? DEFAULT_SANDBOX_SETTINGS).memoryBytes / 1024 / 1024)} MiB of memory (sandbox.memory), and recursion of bounded depth.`,
          details,
        );
      case 'cancelled':
        throw new BlockError(BlockErrorCode.CANCELLED, 'The code was stopped because the run was stopped.', details);
      case 'too_large':
        throw sandboxFailure('code', outcome, context);
    }
  },
});
