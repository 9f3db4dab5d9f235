// The packages the build bundles into dist/src/vendor/ (scripts/vendor-bundles.mjs): the compiled sources import
// the bundles, never the packages, and each bundle is its package: the same exports, answering the same.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../helpers/built.js';

const PACKAGES = ['yaml', 'cron-parser', 'commander'];
const require = createRequire(import.meta.url);
const bundle = (name: string) => require(join(ROOT, 'dist', 'src', 'vendor', `${name}.cjs`)) as Record<string, unknown>;

/** Every compiled .js file under dist/src. */
function compiledFiles(folder = join(ROOT, 'dist', 'src')): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? compiledFiles(join(folder, entry.name)) : entry.name.endsWith('.js') ? [join(folder, entry.name)] : [],
  );
}

describe('the vendor bundles of dist/', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('are what the compiled sources import, never the packages by name', () => {
    const importers = compiledFiles().filter((file) => /from ['"]\.[^'"]*\/vendor\/yaml\.cjs['"]/.test(readFileSync(file, 'utf8')));
    expect(importers.map((file) => file.slice(ROOT.length + 1))).toEqual(expect.arrayContaining([join('dist', 'src', 'agent-format', 'agent.parser.js')]));
    const byName = new RegExp(`(from|import\\()\\s*['"](${PACKAGES.join('|')})['"]`);
    expect(compiledFiles().filter((file) => byName.test(readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('export what their packages export', () => {
    for (const name of PACKAGES)
      expect([name, Object.keys(bundle(name)).sort()]).toEqual([
        name,
        Object.keys(require(name) as object)
          .filter((key) => key !== '__esModule')
          .sort(),
      ]);
  });

  it('answer as their packages: every agent file parsed, cron times, a help text', () => {
    type Yaml = typeof import('yaml');
    const [bundled, original] = [bundle('yaml') as unknown as Yaml, require('yaml') as Yaml];
    const texts = ['hello-world.yaml', 'issue-triage.yaml', 'daily-digest.yaml'].map((file) => readFileSync(join(ROOT, 'agents', file), 'utf8'));
    texts.push('a: [1, 2\nb: &x {c: 1}\nd: *x\ne: !!binary aGk=\n');
    for (const text of texts) {
      const [mine, theirs] = [bundled.parseDocument(text), original.parseDocument(text)];
      expect([mine.toJS(), mine.errors.map((e) => e.message), bundled.isMap(mine.contents)]).toEqual([
        theirs.toJS(),
        theirs.errors.map((e) => e.message),
        original.isMap(theirs.contents),
      ]);
    }
    type Cron = typeof import('cron-parser');
    const next = (cron: Cron) =>
      cron.CronExpressionParser.parse('*/7 3 * * 1-5', { tz: 'Europe/Paris', currentDate: '2026-03-27T00:00:00Z' })
        .take(5)
        .map((d) => d.toISOString());
    expect(next(bundle('cron-parser') as unknown as Cron)).toEqual(next(require('cron-parser') as Cron));
    type Commander = typeof import('commander');
    const help = (commander: Commander) => new commander.Command('x').option('--y <y>', 'why').command('z').description('zed').parent!.helpInformation();
    expect(help(bundle('commander') as unknown as Commander)).toEqual(help(require('commander') as Commander));
  });
});
