// A fresh `npm install` leaves package-lock.json as committed (.ci/run checks it after installing). The
// causes it once had, checked here without a network: a lockfile whose root disagrees with package.json
// (engines, ranges), a lockfile written where the registry lacked some platform builds (a full registry then
// adds them), and npm 10, which drops the `libc` fields npm 11 writes (devEngines refuses npm 10).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
  name?: string;
}
const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as LockEntry & {
  devEngines?: { packageManager?: { name: string; version: string; onFail?: string } };
};
const lock = JSON.parse(readFileSync(join(process.cwd(), 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };

describe('package-lock.json', () => {
  it('has the root package.json declares (a difference makes npm install rewrite it)', () => {
    const root = lock.packages['']!;
    expect(lock.lockfileVersion).toBe(3);
    expect({ name: root.name, version: root.version, engines: root.engines, dependencies: root.dependencies, devDependencies: root.devDependencies }).toEqual({
      name: pkg.name,
      version: pkg.version,
      engines: pkg.engines,
      dependencies: pkg.dependencies,
      devDependencies: pkg.devDependencies,
    });
  });

  it("locks every platform build of every package's optional dependencies", () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        // npm resolves a dependency from the package's own node_modules up to the root's.
        const parts = path.split('/node_modules/');
        const candidates = parts.map((_, i) => `${parts.slice(0, parts.length - i).join('/node_modules/')}/node_modules/${name}`.replace(/^\//, ''));
        if (!candidates.some((candidate) => candidate in lock.packages) && !(`node_modules/${name}` in lock.packages))
          missing.push(`${path || '(root)'} -> ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is installed with npm 11 (package.json devEngines refuses npm 10)', () => {
    expect(pkg.devEngines?.packageManager).toEqual({ name: 'npm', version: '>=11', onFail: 'error' });
    expect(pkg.engines).toEqual({ node: '>=22' });
  });
});
