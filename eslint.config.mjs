// The TypeScript in src/ is linted with type information (typescript-eslint's type-checked rules,
// against tsconfig.json); the plain JavaScript of the tests, benchmarks and scripts with ESLint's
// recommended rules. The compiled output at the root (lib/, nodes/, simulator/) is not linted.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// `const { omitted: _omitted, ...rest } = value` is how the code leaves a field out of a copy.
const unusedVars = ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }];

export default tseslint.config(
  { ignores: ['lib/', 'nodes/', 'simulator/', 'src/lib/generated/', '.node-red/', '.node-red-runtimes/', 'test-results/'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': unusedVars,
      // A node's constructor function names `this` node, for the closures inside it, as Node-RED's own nodes do.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
      // Passing on a rejection as received (an abort signal's reason, a caught error) is not inventing a non-Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // The editors are browser scripts with a tsconfig of their own (the DOM, jQuery, no Node.js).
    files: ['src/**/editor.ts', 'src/**/editor-*.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: './tsconfig.editor.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-unused-vars': unusedVars },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  { files: ['test/**/*.js'], languageOptions: { globals: { ...globals.mocha } } },
  {
    // Functions the browser tests hand to page.evaluate run in the Node-RED editor's page.
    files: ['test/e2e/**/*.js'],
    languageOptions: { globals: { ...globals.browser, RED: 'readonly', $: 'readonly' } },
  },
);
