// ESLint flat config: typescript-eslint recommended rules + React hooks rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const TS_EXTENSION = '/^\\.{1,2}\\/.*\\.(ts|tsx|mts)$/';
const EXTENSIONLESS = [
  'ImportDeclaration',
  'ExportNamedDeclaration',
  'ExportAllDeclaration',
  'ImportExpression',
].map((node) => ({
  selector: `${node}[source.value=${TS_EXTENSION}]`,
  message: 'Relative imports name the module without its .ts/.tsx extension.',
}));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', '.bench-out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Small files named for what they hold: source files in src/ stay under 300 lines of code
    // (blank lines and comments not counted); tests and test helpers may be longer.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test-helpers.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The core is framework-free: it runs the same in the worker and in Node (ARCHITECTURE.md).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom', 'comlink', 'zustand', 'recharts', 'idb'],
          patterns: [
            {
              group: [
                '**/worker/*',
                '**/client/*',
                '**/store/*',
                '**/panels/*',
                '**/components/*',
                '**/persist/*',
              ],
              message: 'src/core imports nothing from the app, the store or the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    // Storage and the thread-crossing data types sit below the store and the worker: they import
    // only the core and each other (ARCHITECTURE.md).
    files: ['src/persist/**/*.ts', 'src/protocol/**/*.ts', 'src/format/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['react', 'react-dom', 'comlink', 'zustand', 'recharts'],
          patterns: [
            {
              group: ['**/worker/*', '**/client/*', '**/store/*', '**/panels/*', '**/components/*'],
              message: 'persist, protocol and format import nothing from the app or the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    // UI → store → client → worker: panels and components never reach the worker themselves.
    files: ['src/panels/**/*.{ts,tsx}', 'src/components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['comlink'],
          patterns: [
            {
              group: ['**/client/*', '**/worker/lab-api*', '**/worker/*-service*'],
              message: 'Panels read the store; only store actions call the worker client.',
            },
          ],
        },
      ],
    },
  },
  {
    // One import-specifier style: relative imports name the module without its extension (the
    // bundler, Vitest, Playwright and tsx resolve it). Only a worker's `new URL(…)` keeps one.
    files: ['**/*.{ts,tsx}'],
    rules: { 'no-restricted-syntax': ['error', ...EXTENSIONLESS] },
  },
  {
    // Test-only code (*.test-helpers.ts: fixtures, oracles, small nets) stays out of the app,
    // the worker, the CLI and the bench.
    files: ['src/**/*.{ts,tsx}', 'bench/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-helpers.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...EXTENSIONLESS,
        {
          selector: 'ImportDeclaration[source.value=/\\.test-helpers$/]',
          message: 'Only tests import *.test-helpers.ts.',
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
