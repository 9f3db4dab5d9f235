import { afterAll, describe, expect, it } from '@jest/globals';
import { run, runError, runToObject } from '../../../../test/blocks/context.js';
import { codeJsBlock } from './code.js.js';
import { shutdownSandboxes } from '../../../sandbox/sandbox.js';

afterAll(() => shutdownSandboxes());

describe('code.js', () => {
  it('returns what the code returns, as JSON, and the logs', async () => {
    const out = await runToObject(codeJsBlock, {
      code: 'console.log("items:", input.items.length, { ok: true }); return { done: input.items.filter((i) => i.done).length };',
      input: { items: [{ done: true }, { done: false }, { done: true }] },
    });
    expect(out).toEqual({ result: { done: 2 }, logs: ['items: 3 {"ok":true}'] });
  });

  it('answers null for undefined and for functions, and the input defaults to null', async () => {
    expect(await runToObject(codeJsBlock, { code: 'if (input !== null) throw new Error("input"); return undefined;' })).toEqual({ result: null, logs: [] });
    expect((await runToObject(codeJsBlock, { code: 'return function () {};' })).result).toBeNull();
  });

  it('fails with the message and line of what the code throws', async () => {
    const error = await runError(codeJsBlock, { code: 'const a = 1;\nthrow new RangeError("too big: " + a);' });
    expect(error.code).toBe('CODE_ERROR');
    expect(error.message).toContain('RangeError: too big: 1');
    expect(error.message).toContain('line 2');
    const text = await runError(codeJsBlock, { code: 'throw "plain text"' });
    expect(text.message).toContain('plain text');
  });

  it('reports syntax errors and non-JSON results', async () => {
    const syntax = await runError(codeJsBlock, { code: 'return (' });
    expect(syntax.code).toBe('CODE_ERROR');
    expect(syntax.message).toContain('SyntaxError');
    const bigint = await runError(codeJsBlock, { code: 'return 1n' });
    expect(bigint.message).toContain('BigInt');
    const promise = await runError(codeJsBlock, { code: 'return Promise.resolve(1)' });
    expect(promise.message).toContain('synchronous');
  });

  it.each([
    ['process', 'return typeof process', 'undefined'],
    ['require', 'return typeof require', 'undefined'],
    ['fetch', 'return typeof fetch', 'undefined'],
    ['setTimeout', 'return typeof setTimeout', 'undefined'],
    ['globals', 'return Object.getOwnPropertyNames(globalThis).filter((n) => /^(process|require|fetch|std|os|module|Buffer|setTimeout|import)$/.test(n))', []],
    ['Function constructor', 'return (function () {}).constructor("return typeof process")()', 'undefined'],
    ['eval', 'return eval("typeof require")', 'undefined'],
    ['constructor chains', 'return [].constructor.constructor("return typeof process + typeof require")()', 'undefinedundefined'],
    ['the global object', 'return Function("return this")() === globalThis && typeof globalThis.process', 'undefined'],
    ['indirect eval', 'return typeof (0, eval)("this").require', 'undefined'],
    ['prototype pollution stays inside', 'Object.prototype.polluted = 1; return {}.polluted', 1],
  ])('gives the code no host access: %s', async (_name, code, expected) => {
    expect((await runToObject(codeJsBlock, { code })).result).toEqual(expected);
  });

  it('refuses import() and require() calls', async () => {
    const importing = await runError(codeJsBlock, { code: 'return import("node:fs")' });
    expect(importing.code).toBe('CODE_ERROR');
    const requiring = await runError(codeJsBlock, { code: 'return require("node:child_process").execSync("id")' });
    expect(requiring.message).toContain("'require' is not defined");
  });

  it('stops an endless loop at the time limit', async () => {
    const error = await runError(codeJsBlock, { code: 'while (true) {}', timeout_ms: 200 });
    expect(error.code).toBe('CODE_TIMEOUT');
    expect(error.message).toContain('200 ms');
  });

  it('stops catastrophic regular-expression backtracking at the time limit', async () => {
    const error = await runError(codeJsBlock, { code: 'return /(a+)+$/.test("a".repeat(40) + "b")', timeout_ms: 200 });
    expect(error.code).toBe('CODE_TIMEOUT');
    expect((await runToObject(codeJsBlock, { code: 'return 1' })).result).toBe(1);
  });

  it('stops a memory bomb at the memory limit, quickly', async () => {
    const strings = await runError(codeJsBlock, { code: 'const a = []; while (true) a.push("x".repeat(1000000) + a.length);', timeout_ms: 5000 });
    expect(strings.code).toBe('CODE_MEMORY_LIMIT');
    const objects = await runError(codeJsBlock, { code: 'const a = []; let i = 0; while (true) a.push({ i: i++ });', timeout_ms: 5000 });
    expect(['CODE_MEMORY_LIMIT', 'CODE_TIMEOUT']).toContain(objects.code);
    const buffer = await runError(codeJsBlock, { code: 'return new ArrayBuffer(1e9).byteLength' });
    expect(buffer.code).toBe('CODE_MEMORY_LIMIT');
  });

  it('stops deep recursion, including recursion inside native code', async () => {
    const recursion = await runError(codeJsBlock, { code: 'function f() { return f() + 1; } return f();' });
    expect(recursion.code).toBe('CODE_MEMORY_LIMIT');
    const nestedJson = await runError(codeJsBlock, { code: 'return JSON.parse("[".repeat(100000))' });
    expect(['CODE_MEMORY_LIMIT', 'CODE_ERROR']).toContain(nestedJson.code);
    const nestedSource = await runError(codeJsBlock, { code: 'return new Function("return " + "(".repeat(100000) + "1" + ")".repeat(100000))()' });
    expect(['CODE_MEMORY_LIMIT', 'CODE_ERROR']).toContain(nestedSource.code);
  });

  it('stays healthy after every escape attempt, with a fresh context per run', async () => {
    expect((await runToObject(codeJsBlock, { code: 'return input * 2', input: 21 })).result).toBe(42);
    expect((await runToObject(codeJsBlock, { code: 'return ({}).polluted === undefined && typeof globalThis.leftover' })).result).toBe('undefined');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is interrupted when the run is aborted, even mid-loop', async () => {
    const controller = new AbortController();
    const pending = runError(codeJsBlock, { code: 'while (true) {}', timeout_ms: 5000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('execution stopped')), 100);
    // Interrupted, not run to its own 5 s limit (which would answer CODE_TIMEOUT).
    const error = await pending;
    expect(error.code).toBe('CANCELLED');
    // The sandbox keeps working for the next run.
    expect((await runToObject(codeJsBlock, { code: 'return "after"' })).result).toBe('after');
  });

  it('stops runs that are still waiting for a free sandbox, too', async () => {
    const controllers = [1, 2, 3].map(() => new AbortController());
    const runs = controllers.map((controller) => runError(codeJsBlock, { code: 'while (true) {}', timeout_ms: 5000 }, { signal: controller.signal }));
    setTimeout(() => controllers.forEach((controller) => controller.abort(new Error('execution stopped'))), 50);
    expect((await Promise.all(runs)).map((error) => error.code)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
  });

  it('runs several at once without mixing them up', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((n) => run(codeJsBlock, { code: 'return input + 1', input: n })));
    expect(results.map((r) => r[0]![1])).toEqual([2, 3, 4, 5]);
  });

  it('refuses bad inputs by pin', async () => {
    const error = await runError(codeJsBlock, { code: '', timeout_ms: 60000 });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('code: expected non-empty JavaScript');
    expect(error.message).toContain('timeout_ms: must be <= 5000');
  });
});
