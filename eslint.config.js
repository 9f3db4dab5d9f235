// ESLint (flat config), the fast half of `npm run lint`: typescript-eslint's `strict` preset (syntax rules, no type
// information: ~10x faster than the type-checked one here). The type-checked preset is eslint.typed.config.js
// (`npm run lint:typed`). Layer rules (folder cycles, the pure engine) are dependency-cruiser's (`npm run lint:deps`),
// formatting is Prettier's (`npm run format:check`). Today's violations are listed in eslint-suppressions.json
// (ESLint's bulk suppressions): lint fails on a new one and on a listed one that no longer occurs (fix it, then
// `npm run lint:eslint -- --prune-suppressions`), so the list only shrinks.
import js from '@eslint/js';
import { builtinRules } from 'eslint/use-at-your-own-risk';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Files allowed to read process.env: the config loader, tests, benchmarks and tooling. */
export const ENV_READERS = ['src/config/**', 'test/**', 'bench/**', 'scripts/**', 'bin/**', '**/*.spec.ts', '**/*.e2e-spec.ts', '*.js'];

export const base = [
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/**', 'agents/**'] },
  js.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The environment is read in src/config/ only (STYLE.md): everywhere else takes the value from AppConfig.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment in src/config/ only: take the value from AppConfig (or a src/config/ accessor).' },
      ],
    },
  },
  { files: ENV_READERS, rules: { 'no-restricted-properties': 'off' } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
];

/** Rule choices on top of the typescript-eslint presets, shared by both configs. */
export const tsRules = {
  files: ['**/*.ts'],
  rules: {
    // With noUncheckedIndexedAccess, `!` after a check the compiler cannot follow (map.get after has, a regex group
    // that matched) is this code base's idiom; the type-checked config flags the unnecessary ones.
    '@typescript-eslint/no-non-null-assertion': 'off',
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    // Nest modules are classes with decorators and no members.
    '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
  },
};

/** The most lines a source file of src/ may have: STYLE.md's "split by responsibility before a file gets there". */
export const MAX_LINES = 300;

// ESLint's core `max-lines`, unchanged but for its message: the core rule's message cannot be set from the config,
// and "File has too many lines" does not say what to do. Same counting, same options.
const coreMaxLines = builtinRules.get('max-lines');
const trellis = {
  rules: {
    'max-lines': {
      ...coreMaxLines,
      meta: {
        ...coreMaxLines.meta,
        messages: {
          exceed:
            'This file has {{actual}} lines, over the {{max}} a source file of src/ may have. Split it by responsibility ' +
            '(docs/architecture.md): a spec by topic into *.<topic>.spec.ts files, their shared setup into a *.fixtures.ts beside them.',
        },
      },
    },
  },
};

/**
 * No file of src/ over MAX_LINES lines, specs and fixtures included; every line counts (blank lines and comments too:
 * the file's line count). Not test/: its e2e files boot an app each, so splitting one costs a boot per new file.
 */
export const fileSize = {
  files: ['src/**/*.ts'],
  plugins: { trellis },
  rules: { 'trellis/max-lines': ['error', { max: MAX_LINES, skipBlankLines: false, skipComments: false }] },
};

export default tseslint.config(...base, ...tseslint.configs.strict, tsRules, fileSize);
