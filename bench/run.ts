// `npm run bench -- <scenario>...`: runs named scenarios and prints their figures. Scenarios live in
// bench/scenarios/ and are listed in bench/scenarios/index.ts; `--list` shows them, `--check` exits 1
// when a figure is over its budget. One scenario runs in this process; several run each in a process of its
// own (bench/isolate.ts), so that none measures the memory, compiled code or garbage another left behind.
import 'reflect-metadata';
import { restartWithHeapSettings } from '../src/config/heap-settings.js';
import { inOwnProcess } from './isolate.js';
import type { Figure, ScenarioResult } from './scenarios/index.js';

/** A figure as printed; plain named values (`{p99_ms: 12}`, `{ratio: 'x3 faster'}`) have no unit or budget. */
type Printed = Figure & { text?: string };

function asFigures(result: ScenarioResult): Printed[] {
  if (Array.isArray(result)) return result;
  return Object.entries(result).map(([label, value]): Printed =>
    typeof value === 'number' ? { label, value, unit: '' } : { label, value: Number.NaN, unit: '', text: value },
  );
}

function formatFigure(figure: Printed): string {
  const value = figure.text ?? String(Math.round(figure.value * 100) / 100);
  const budget =
    figure.budget === undefined
      ? ''
      : figure.value <= figure.budget
        ? `  (budget ${figure.budget} ${figure.unit}: ok)`
        : `  (budget ${figure.budget} ${figure.unit}: OVER)`;
  return `  ${figure.label.padEnd(48)} ${value.padStart(10)} ${figure.unit}${budget}`;
}

/** Runs the scenario named `name` in this process and answers its figures. */
export async function runScenario(name: string, say: (line: string) => void): Promise<ScenarioResult> {
  const { SCENARIOS } = await import('./scenarios/index.js');
  return SCENARIOS.find((scenario) => scenario.name === name)!.run(say);
}

export async function runBench(argv: string[]): Promise<number> {
  const { SCENARIOS } = await import('./scenarios/index.js');
  const check = argv.includes('--check');
  const names = argv.filter((arg) => !arg.startsWith('--'));
  if (argv.includes('--list') || names.length === 0) {
    console.log('scenarios (npm run bench -- <name>... [--check]):');
    for (const scenario of SCENARIOS) console.log(`  ${scenario.name.padEnd(16)} ${scenario.description}`);
    return names.length === 0 && !argv.includes('--list') ? 2 : 0;
  }
  const unknown = names.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length) {
    console.error(`unknown scenario${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  let over = 0;
  for (const name of names) {
    const scenario = SCENARIOS.find((s) => s.name === name)!;
    console.log(`${scenario.name}: ${scenario.description}`);
    const say = (line: string) => console.log(`  … ${line}`);
    const result = names.length > 1 ? await inOwnProcess<ScenarioResult>(import.meta.url, 'runScenario', name, say) : await scenario.run(say);
    for (const figure of asFigures(result)) {
      console.log(formatFigure(figure));
      if (figure.budget !== undefined && figure.value > figure.budget) over++;
    }
  }
  return check && over > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The server measured here runs in this process: with the heap settings `trellis start` gives it.
  restartWithHeapSettings();
  runBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}
