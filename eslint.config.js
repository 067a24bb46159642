import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Layers: only db/ touches the SQL driver, only llm/ talks to Ollama.
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/db/**', 'server/src/llm/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Only server/src/db may use the SQL driver.' },
            { name: 'ollama', message: 'Only server/src/llm may talk to Ollama.' },
          ],
        },
      ],
    },
  },
  {
    files: ['client/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aisle/server', '@aisle/server/*'], message: 'The client only shares code through @aisle/shared.' },
          ],
        },
      ],
    },
  },
  {
    // CLIs and test tools print to the terminal on purpose.
    files: ['server/src/cli/**', 'test/**', 'scripts/**', 'server/src/catalogue/demo/generate*.ts'],
    rules: { 'no-console': 'off' },
  },
);
