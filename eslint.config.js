// ESLint flat config (`make lint`, `npm run lint`). TypeScript: @eslint/js and typescript-eslint recommended with
// type information (the project service gives each .ts file the root tsconfig.json; the example stage gets
// tsconfig.examples.json), plus the assertion rules below. scripts/*.mjs: @eslint/js recommended.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'runs/', 'schemas/', 'bench/data/', '.cache/', 'history/', '**/*.tmp.*'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `x as T` only; `{ ... } as T` hides a missing or misspelt field: annotate a variable or use `satisfies T`.
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'as', objectLiteralTypeAssertions: 'never' },
      ],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      // `_name` marks a value unused on purpose (a destructured field left out of a rest, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Off: an async function without await is how this code implements a Promise-returning interface (cell stores,
      // writers' close, test callbacks); dropping `async` would turn its throws into synchronous ones.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The example imports 'clusterbench', which its own tsconfig.json finds in dist/types after a build; linting
    // needs no build, so tsconfig.examples.json maps it to the source (harness/types.ts).
    files: ['examples/typescript-stage/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './tsconfig.examples.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
