// Sums a TRELLIS_TEST_PROFILE file (test/bundles/run-bundle.ts): CPU and wall seconds per spec, heaviest first,
// and per bundle. `node test/bundles/profile-report.mjs <file> [rows] [--timings]`; with --timings it also writes
// each spec's wall seconds to test/bundles/timings.json, which bundles.js deals the specs by.
import { readFileSync, writeFileSync } from 'node:fs';

const [file, rows = '40'] = process.argv.slice(2).filter((arg) => arg !== '--timings');
const lines = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const specs = lines.filter((l) => l.file !== '(start)').map((l) => ({ ...l, total: l.cpu + l.importCpu }));
const bundles = new Map();
for (const l of specs) {
  const b = bundles.get(l.bundle) ?? { cpu: 0, wall: 0, specs: 0 };
  bundles.set(l.bundle, { cpu: b.cpu + l.total, wall: b.wall + l.wall, specs: b.specs + 1 });
}
const f = (n) => n.toFixed(1).padStart(7);
console.log('   cpu s  import  wall s  spec');
for (const l of specs.sort((a, b) => b.total - a.total).slice(0, Number(rows))) console.log(`${f(l.total)} ${f(l.importCpu)} ${f(l.wall)}  ${l.file}`);
console.log('\n   cpu s  wall s  specs  bundle');
for (const [name, b] of [...bundles].sort()) console.log(`${f(b.cpu)} ${f(b.wall)} ${String(b.specs).padStart(6)}  ${name}`);
const total = specs.reduce((sum, l) => sum + l.total, 0);
console.log(`\n${total.toFixed(1)} s of CPU in ${specs.length} bundled specs`);

if (process.argv.includes('--timings')) {
  const timings = Object.fromEntries(specs.map((l) => [l.file, Math.round(l.wall * 10) / 10]).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync('test/bundles/timings.json', `${JSON.stringify(timings, null, 2)}\n`);
}
