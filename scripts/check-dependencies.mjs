// The layer check of `npm run lint`: dependency-cruiser's rules (.dependency-cruiser.cjs: the layer order, the
// pure engine, ...) plus one of our own, no import cycle between top-level folders of src/. A folder cycle
// always fails: it cannot be listed. Today's violations of the other rules are listed in
// .dependency-cruiser-known-violations.json; the check fails on any violation not listed there AND on a listed
// one that no longer occurs, so the list can only shrink. `--update` rewrites the list (only to shrink it: a
// reviewer sees any addition in the diff).
import { readFileSync, writeFileSync } from 'node:fs';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const CONFIG = './.dependency-cruiser.cjs';
const KNOWN = '.dependency-cruiser-known-violations.json';
const FOLDER_CYCLE_RULE = 'no-top-level-folder-cycle';
/** Tests beside the code may import across folders: they are not part of the layering. */
const TEST_FILE = /[.](e2e-)?spec[.]ts$/;

const started = Date.now();
const options = await extractDepcruiseOptions(CONFIG);
// The cache (content-keyed, so a fresh checkout's mtimes do not matter) answers an unchanged tree in a fraction of the time.
const cache = { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' };
const result = await cruise(['src'], { ...options, cache, validate: true, ruleSet: options.ruleSet ?? options }, undefined, {
  tsConfig: extractTSConfig('tsconfig.json'),
});
const output = result.output;

/** rule name -> sorted list of "from -> to" entries found today. */
const found = new Map();
const add = (rule, entry) => found.set(rule, [...(found.get(rule) ?? []), entry]);
for (const violation of output.summary.violations) add(violation.rule.name, `${violation.from} -> ${moduleName(violation.to)}`);
for (const [rule, entries] of found) found.set(rule, [...new Set(entries)].sort());
const folderCycles = folderCycleEdges(output.modules).sort();

if (process.argv.includes('--update')) {
  writeFileSync(KNOWN, `${JSON.stringify(Object.fromEntries([...found].sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`);
  console.log(`Wrote ${KNOWN}.`);
  process.exit(0);
}

const known = JSON.parse(readFileSync(KNOWN, 'utf8'));
const ruleComments = new Map((options.ruleSet?.forbidden ?? []).map((rule) => [rule.name, rule.comment]));
let failures = 0;
let knownCount = 0;
if (folderCycles.length > 0) {
  failures += folderCycles.length;
  console.error(
    `\n${FOLDER_CYCLE_RULE}: ${folderCycles.length} folder import(s) on a cycle. Top-level folders of src/ must form a directed ` +
      'acyclic graph (LAYERS in .dependency-cruiser.cjs): move the shared contract into the lower folder (a *.types.ts file), ' +
      'or reach the other folder through a port it implements.',
  );
  for (const entry of folderCycles) console.error(`  ${entry}   (${examples(output.modules, entry)})`);
}
if (known[FOLDER_CYCLE_RULE]) {
  failures += 1;
  console.error(`\n${KNOWN} lists ${FOLDER_CYCLE_RULE}: folder cycles cannot be listed; remove the key.`);
}
for (const rule of new Set([...found.keys(), ...Object.keys(known)].filter((name) => name !== FOLDER_CYCLE_RULE))) {
  const now = new Set(found.get(rule) ?? []);
  const listed = new Set(known[rule] ?? []);
  const added = [...now].filter((entry) => !listed.has(entry));
  const gone = [...listed].filter((entry) => !now.has(entry));
  knownCount += now.size - added.length;
  if (added.length > 0) {
    failures += added.length;
    console.error(`\n${rule}: ${added.length} new violation(s). ${ruleComments.get(rule) ?? ''}`);
    for (const entry of added) console.error(`  ${entry}`);
  }
  if (gone.length > 0) {
    failures += gone.length;
    console.error(`\n${rule}: ${gone.length} known violation(s) no longer occur. Good: remove them from ${KNOWN} (npm run lint:deps -- --update):`);
    for (const entry of gone) console.error(`  ${entry}`);
  }
}
const summary = `${output.summary.totalCruised} modules, ${output.summary.totalDependenciesCruised} imports, ${knownCount} known violations, ${Date.now() - started} ms`;
if (failures > 0) {
  console.error(`\nlint:deps failed (${summary}). The rules live in ${CONFIG} and scripts/check-dependencies.mjs.`);
  process.exit(1);
}
console.log(`lint:deps ok (${summary}).`);

/** A path inside node_modules as its package (`node_modules/pino/pino.js` -> `pino`), wherever node_modules is. */
function moduleName(path) {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match ? match[1] : path;
}

/** The top-level folder of a module path under src/, or null for src/*.ts and anything outside src/. */
function topFolder(path) {
  const match = /^src\/([^/]+)\//.exec(path);
  return match ? match[1] : null;
}

/** Folder import edges "a -> b" that lie on a cycle of the top-level folder graph (same strongly connected component). */
function folderCycleEdges(modules) {
  const edges = new Map();
  for (const module of modules) {
    const from = topFolder(module.source);
    if (!from || TEST_FILE.test(module.source)) continue;
    for (const dependency of module.dependencies) {
      const to = topFolder(dependency.resolved);
      if (to && to !== from) edges.set(from, new Set([...(edges.get(from) ?? []), to]));
    }
  }
  const component = stronglyConnectedComponents(edges);
  const onCycle = [];
  for (const [from, targets] of edges) for (const to of targets) if (component.get(from) === component.get(to)) onCycle.push(`${from} -> ${to}`);
  return onCycle;
}

/** Tarjan's algorithm: node -> component id. */
function stronglyConnectedComponents(edges) {
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((targets) => [...targets])]);
  const index = new Map();
  const low = new Map();
  const component = new Map();
  const stack = [];
  let counter = 0;
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (!component.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) === index.get(node)) {
      for (let member = stack.pop(); ; member = stack.pop()) {
        component.set(member, node);
        if (member === node) break;
      }
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return component;
}

/** Up to three file imports behind a folder edge "a -> b", to show where to look. */
function examples(modules, edge) {
  const [from, to] = edge.split(' -> ');
  const imports = modules.flatMap((module) =>
    topFolder(module.source) === from && !TEST_FILE.test(module.source)
      ? module.dependencies.filter((d) => topFolder(d.resolved) === to).map((d) => `${module.source} -> ${d.resolved}`)
      : [],
  );
  return imports.slice(0, 3).join(', ') + (imports.length > 3 ? `, and ${imports.length - 3} more` : '');
}
