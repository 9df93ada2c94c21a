// ESLint for the whole tree: typescript-eslint's recommended rules, formatting left to Prettier,
// and, with the types of the TypeScript sources, no promise left floating or handed to a callback
// that ignores it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'coverage/',
      'test/artifacts/',
      // The consumer apps lint themselves with the config `nest new` made for their Nest line
      // (in the package test, where their packages are installed): not this one.
      'test/consumers/*/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A leading underscore marks what a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The TypeScript sources are linted with their types, each file with the program of the
    // tsconfig.json that holds it (bench's, or the root one). Named rather than looked up per
    // file (projectService): the same two programs, built in about four seconds less.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./bench/tsconfig.json', './tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits loses its rejection; `void` marks one left on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a plain one is expected (Passport's, an event's, a timer's)
      // fails with nobody to hear it.
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec-helper.ts', 'test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    // Tests read the apps' JSON answers as loosely as supertest types them.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The SPA the handoff test serves runs in the browser.
    files: ['test/support/spa/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // CommonJS entry points load the build with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
