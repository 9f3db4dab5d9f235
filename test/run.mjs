// `npm test`: the typecheck, the lint (ESLint, the layer check, the format check) and jest (both layers, or
// the arguments given) at the same time, since tsc and the linters are single processes and jest's e2e files
// spend much of their time waiting on Postgres, Redis and child processes. Fails when any fails; the
// typecheck's and the lint's output are printed after jest's.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { useCompileCache } from './compile-cache.js';

const started = Date.now();
useCompileCache(); // tsc, the linters, jest and the processes the tests start: see compile-cache.js

function setPriorityQuietly(pid, priority) {
  try {
    setPriority(pid, priority);
  } catch {
    // Not permitted here: the same run, at the same priority.
  }
}

function start(command, args, capture) {
  const child = spawn(command, args, { stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
  // The typecheck and the lint take what jest leaves (its e2e files wait on services and children): at a lower
  // priority they fill those gaps instead of slowing jest, the longest of the three.
  if (capture && child.pid) setPriorityQuietly(child.pid, 10);
  let output = '';
  if (capture) {
    child.stdout.on('data', (chunk) => void (output += chunk));
    child.stderr.on('data', (chunk) => void (output += chunk));
  }
  const done = new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }));
  });
  return { child, done };
}

// A full run (no test paths given) runs jest's bundles (test/bundles/bundles.js); a run of named files runs them as they are.
const args = process.argv.slice(2);
const patterns = args.filter((arg, i) => !arg.startsWith('-') && !/^(--selectProjects|--testNamePattern|-t)$/.test(args[i - 1] ?? ''));
process.env.TRELLIS_TEST_BUNDLES ??= patterns.length === 0 ? '1' : '0';

const typecheck = start(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], true);
const lint = start('npm', ['run', '--silent', 'lint'], true);
const jest = start(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', ...args], false);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => [typecheck, lint, jest].forEach(({ child }) => child.kill(signal)));

const [checked, linted, tested] = await Promise.all([typecheck.done, lint.done, jest.done]);
process.stdout.write(checked.output);
process.stdout.write(linted.output);
const verdict = (result) => (result.code === 0 ? 'passed' : 'FAILED');
process.stdout.write(
  `typecheck (tsc -p tsconfig.json --noEmit): ${verdict(checked)} in ${checked.seconds.toFixed(1)} s; lint (npm run lint): ${verdict(linted)} in ${linted.seconds.toFixed(1)} s; jest: ${verdict(tested)}; ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`,
);
process.exit(checked.code || linted.code || tested.code);
