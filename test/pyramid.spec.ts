// The test pyramid's rule, checked: a file of the unit layer (`*.spec.ts`, not `*.process.spec.ts`) runs
// without Postgres, Redis or a child process, so `npm run test:unit` needs no services. A spec that needs
// one is named `*.e2e-spec.ts` (services) or `*.process.spec.ts` (child processes); see jest.config.js.
// Static: follows the spec's relative imports through test-side files (src/ files are the code under test, but for
// the `*.fixtures.ts` files beside specs, which are test code).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = process.cwd();
/** This file names the markers below in its own text. */
const SELF = join(ROOT, 'test', 'pyramid.spec.ts');

/** What only a file that needs a service imports or calls. */
const SERVICE_MARKERS: Array<[RegExp, string]> = [
  [/from '[./]*(test\/)?helpers\/(database|queue|app)\.js'/, 'a test database, queue prefix or booted app (test/helpers)'],
  [/^import (?!type )[^;]*from 'node:child_process'/m, 'child processes'],
  [/^import (?!type )[^;]*from 'pg'/m, 'Postgres (pg)'],
  [/^import (?!type )[^;]*from 'ioredis'/m, 'Redis (ioredis)'],
  [/\bcreateRedis\(/, 'Redis (createRedis)'],
  [/embedded-postgres/, 'the embedded Postgres'],
];

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : specFiles(path);
    return entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.process.spec.ts') ? [path] : [];
  });
}

/** The first service marker reachable from `file` through relative imports of test-side files, as a path. */
function serviceReached(file: string, seen = new Set<string>()): string | null {
  if (seen.has(file) || file === SELF) return null;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [pattern, what] of SERVICE_MARKERS) if (pattern.test(text)) return `${relative(ROOT, file)} uses ${what}`;
  for (const [, specifier] of text.matchAll(/^import (?!type )[^;]*?from '(\.{1,2}\/[^']+)'/gm)) {
    const target = resolve(dirname(file), specifier!.replace(/\.js$/, '.ts'));
    if (!existsSync(target) || (relative(ROOT, target).startsWith('src/') && !target.endsWith('.fixtures.ts'))) continue;
    const found = serviceReached(target, seen);
    if (found) return `${relative(ROOT, file)} -> ${found}`;
  }
  return null;
}

describe('the test pyramid', () => {
  const unit = [...specFiles(join(ROOT, 'src')), ...specFiles(join(ROOT, 'test'))];

  it('finds the unit layer (the rule below is not vacuous)', () => {
    expect(unit.length).toBeGreaterThan(50);
    expect(unit.map((file) => relative(ROOT, file))).toContain('test/pyramid.spec.ts');
  });

  it('no unit spec reaches Postgres, Redis or a child process: those are named *.e2e-spec.ts or *.process.spec.ts', () => {
    const offenders = unit.map((file) => serviceReached(file)).filter((found): found is string => found !== null);
    expect(offenders).toEqual([]);
  });

  it('keeps e2e and process specs out of src/: the build (tsconfig.build.json) leaves out only *.spec.ts there', () => {
    const misplaced = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? misplaced(join(dir, entry.name))
          : /\.(e2e-spec|process\.spec)\.ts$/.test(entry.name)
            ? [relative(ROOT, join(dir, entry.name))]
            : [],
      );
    expect(misplaced(join(ROOT, 'src'))).toEqual([]);
  });

  it('notices a spec that reaches a service through a helper', () => {
    expect(serviceReached(join(ROOT, 'test/security/pr-gate.process.spec.ts'))).toMatch(/child processes|test database/);
    expect(serviceReached(join(ROOT, 'test/graphs/graphs.e2e-spec.ts'))).toBe(
      'test/graphs/graphs.e2e-spec.ts -> test/graphs/graphs-helpers.ts uses a test database, queue prefix or booted app (test/helpers)',
    );
  });
});
