// The type-checked half: typescript-eslint's `strictTypeChecked` preset (`npm run lint:typed`). It builds the whole
// TypeScript program, so it takes about as long as two typechecks (measured in issue 11's report); it is not part of
// `npm run lint`. Its known violations are listed in eslint-suppressions.typed.json.
import tseslint from 'typescript-eslint';
import { base, tsRules } from './eslint.config.js';

export default tseslint.config(
  ...base,
  ...tseslint.configs.strictTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  tsRules,
  {
    files: ['**/*.ts'],
    rules: {
      // Numbers, booleans and nullish values in template strings are how messages are written here.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
);
