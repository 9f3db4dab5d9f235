// Layer rules for src/, checked by `npm run lint:deps` (scripts/check-dependencies.mjs), which adds one rule of
// its own: no import cycle between top-level folders of src/ (no-top-level-folder-cycle). Today's violations
// are listed in .dependency-cruiser-known-violations.json; the check fails on a new one AND on a listed one
// that no longer occurs, so the list can only shrink (regenerate it with `npm run lint:deps -- --update`).

/** Files the pure engine may import besides its own folder and `*.types.ts` contracts: pure helpers only. */
const ENGINE_PURE_HELPERS = ['^src/common/errors[.]ts$', '^src/common/units[.]ts$', '^src/common/storable-json[.]ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
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
      from: { path: '^src/', pathNot: '[.]spec[.]ts$' },
      to: { path: '^test/' },
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
