// Layer rules for src/, checked by `npm run lint:deps` (scripts/check-dependencies.mjs), which adds one rule of
// its own: no import cycle between top-level folders of src/ (no-top-level-folder-cycle, never allowed).
// Today's violations of the other rules are listed in .dependency-cruiser-known-violations.json; the check
// fails on a new one AND on a listed one that no longer occurs, so the list can only shrink (regenerate it
// with `npm run lint:deps -- --update`).

/**
 * The layers of src/, low to high (docs/architecture.md): a folder may import its own layer's folder and the
 * folders of lower layers only; the app root files (app.module.ts, main.ts, cli.ts, bootstrap.ts, http-app.ts,
 * entities.ts) sit on top and nothing imports them. Reach a higher folder through a port: an interface in a
 * `*.types.ts` file of the lower folder, implemented above and injected (users/credit-accounts.types.ts,
 * graphs/graph-agents.types.ts, blocks/credential-resolver.ts).
 *
 *   common < config < database < queue < sandbox < metrics < health < users < auth < credits < blocks
 *   < agent-format < integrations < graphs < executions < notifications < agents < triggers < (root files)
 *
 * Why this order where it is not obvious: agent-format validates nodes against the block catalog and pin
 * formats, so it sits above blocks; integrations implements blocks' CREDENTIAL_RESOLVER port, so it sits above
 * blocks; triggers (gitops) plan and sync agents, so they sit above agents.
 */
const LAYERS = [
  'common',
  'config',
  'database',
  'queue',
  'sandbox',
  'metrics',
  'health',
  'users',
  'auth',
  'credits',
  'blocks',
  'agent-format',
  'integrations',
  'graphs',
  'executions',
  'notifications',
  'agents',
  'triggers',
  'wait-events',
  'reviews',
  'importers',
  'cli',
];

/** One rule per layer: its folder may not import a higher folder or a root file (tests beside the code may). */
const LAYER_RULES = LAYERS.map((folder, index) => ({
  name: 'layer-order',
  severity: 'error',
  comment:
    `A folder of src/ may import only lower layers (low to high: ${LAYERS.join(' < ')} < root files). Move the shared ` +
    'contract into the lower folder (a *.types.ts file), or reach the higher folder through a port it implements and Nest injects.',
  from: { path: `^src/${folder}/`, pathNot: '[.](e2e-)?spec[.]ts$' },
  to: { path: [...LAYERS.slice(index + 1).map((higher) => `^src/${higher}/`), '^src/[^/]+$'] },
}));

/** Files the pure engine may import besides its own folder and `*.types.ts` contracts: pure helpers only. */
const ENGINE_PURE_HELPERS = ['^src/common/errors[.]ts$', '^src/common/units[.]ts$', '^src/common/storable-json[.]ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...LAYER_RULES,
    {
      name: 'layer-unknown-folder',
      severity: 'error',
      comment: 'Every top-level folder of src/ has a place in LAYERS (.dependency-cruiser.cjs): add the new folder there.',
      from: { path: '^src/[^/]+/', pathNot: [`^src/(${LAYERS.join('|')})/`] },
      to: {},
    },
    {
      name: 'engine-is-pure',
      severity: 'error',
      comment:
        'src/executions/engine/ is the pure core: it may import only src/executions/engine/**, `*.types.ts` contracts and ' +
        'the pure helpers listed in .dependency-cruiser.cjs (ENGINE_PURE_HELPERS). No I/O, framework, npm package or block ' +
        'code: put what it needs behind a port typed in a `*.types.ts` file.',
      from: { path: '^src/executions/engine/', pathNot: '[.]spec[.]ts$|[.]fixtures[.]ts$' },
      to: {
        pathNot: ['^src/executions/engine/', '[.]types[.]ts$', ...ENGINE_PURE_HELPERS],
      },
    },
    {
      name: 'no-src-to-test',
      severity: 'error',
      comment: 'Production code never imports test helpers.',
      // A spec and its `*.fixtures.ts` (the setup specs beside it share) are test code.
      from: { path: '^src/', pathNot: '[.](spec|fixtures)[.]ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-fixtures-in-production',
      severity: 'error',
      comment:
        'A `*.fixtures.ts` file is test code beside the specs that share it (the build leaves it out, see tsconfig.build.json): ' +
        'only specs and other fixtures import it. Move what production code needs out of the fixtures file.',
      from: { path: '^src/', pathNot: '[.](spec|fixtures)[.]ts$' },
      to: { path: '[.]fixtures[.]ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'This import names a module that does not resolve: fix the path (with its .js suffix) or install the package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports are dependencies of the design too (the cycles in issue 11 include some).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
