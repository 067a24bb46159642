import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The import rules of docs/ARCHITECTURE.md, enforced. Each entry: who may not import what, and why.
 * A rule here and a line in ARCHITECTURE.md say the same thing; change both together.
 */
const server = 'server/src';
const services = [
  'agents',
  'assistant',
  'capacity',
  'catalogue',
  'chat',
  'cluster',
  'config',
  'db',
  'lib',
  'llm',
  'observability',
  'search',
].map((d) => `${server}/${d}`);
const transport = [`${server}/http`, `${server}/sockets`, `${server}/app.ts`, `${server}/index.ts`];

/** `import-x/no-restricted-paths` zones: `target` may not import from `from`. */
const zones = [
  {
    target: services,
    from: transport,
    message: 'Services sit below transport: only app.ts wires http/ and sockets/ to services.',
  },
  {
    target: `${server}/db`,
    from: [`${server}/agents`, `${server}/assistant`, `${server}/chat`, `${server}/eval`, `${server}/llm`, `${server}/cli`],
    message: 'db/ is the bottom layer: repositories know rows, not the services that use them.',
  },
  {
    target: `${server}/llm`,
    from: [
      `${server}/agents`,
      `${server}/assistant`,
      `${server}/chat`,
      `${server}/db`,
      `${server}/eval`,
      `${server}/catalogue`,
      `${server}/cli`,
    ],
    message: 'llm/ talks to model servers and knows nothing of the shop: it takes and returns its own types.',
  },
  {
    target: `${server}/lib`,
    from: services.filter((s) => !s.endsWith('/lib')),
    message: 'lib/ holds pure helpers with no dependencies on the app.',
  },
  {
    target: ['client/src/features/agent', 'client/src/lib', 'client/src/components'],
    from: 'client/src/features/chat',
    message: 'The agent console and shared client code never import the shopper chat (it would create its store).',
  },
  {
    target: ['client/src/features/chat', 'client/src/lib', 'client/src/components'],
    from: 'client/src/features/agent',
    message: 'The shopper page never imports the agent console.',
  },
];

/** Packages only one folder may use. */
const onlyDb = 'Only server/src/db may build or run SQL (Kysely, the SQLite and PostgreSQL drivers).';
const onlyLlm = 'Only server/src/llm may talk to model servers.';
const onlyTransport = 'Only http/, sockets/ and app.ts use express and socket.io: services are transport-free.';
const onlyCluster = 'Only server/src/cluster talks to Redis (app.ts hands its client to the Socket.IO adapter).';
const restrictedPackages = {
  db: [
    { name: 'better-sqlite3', message: onlyDb },
    { name: 'kysely', message: onlyDb },
    { name: 'pg', message: onlyDb },
  ],
  llm: [
    { name: 'ollama', message: onlyLlm },
    { name: 'ollama/browser', message: onlyLlm },
  ],
  transport: [
    { name: 'express', message: onlyTransport },
    { name: 'socket.io', message: onlyTransport },
    { name: 'helmet', message: onlyTransport },
    { name: 'cookie', message: onlyTransport },
  ],
  redis: [{ name: 'ioredis', message: onlyCluster }],
};

/**
 * Which packages each part of the server may not import. Flat config does not merge one rule's options
 * across blocks, so every server file falls in exactly one of these.
 */
const packageRules = [
  {
    files: [`${server}/db/**/*.ts`],
    banned: [...restrictedPackages.transport, ...restrictedPackages.llm, ...restrictedPackages.redis],
  },
  {
    files: [`${server}/llm/**/*.ts`],
    banned: [...restrictedPackages.transport, ...restrictedPackages.db, ...restrictedPackages.redis],
  },
  {
    files: [`${server}/cluster/**/*.ts`],
    banned: [...restrictedPackages.transport, ...restrictedPackages.db, ...restrictedPackages.llm],
  },
  {
    files: transport.map((t) => (t.endsWith('.ts') ? t : `${t}/**/*.ts`)),
    banned: [...restrictedPackages.db, ...restrictedPackages.llm, ...restrictedPackages.redis],
  },
  {
    files: [`${server}/**/*.ts`],
    ignores: [
      `${server}/db/**`,
      `${server}/llm/**`,
      `${server}/cluster/**`,
      ...transport.map((t) => (t.endsWith('.ts') ? t : `${t}/**`)),
    ],
    banned: [...restrictedPackages.transport, ...restrictedPackages.db, ...restrictedPackages.llm, ...restrictedPackages.redis],
  },
].map(({ files, ignores = [], banned }) => ({
  files,
  ignores: [...ignores, '**/*.test.ts'],
  rules: { 'no-restricted-imports': ['error', { paths: banned }] },
}));

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
    // Folder boundaries and import cycles, for the app's own code (tests may reach anywhere).
    files: ['server/src/**/*.ts', 'client/src/**/*.{ts,tsx}', 'shared/src/**/*.ts'],
    ignores: ['**/*.test.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.json'] })],
      'import-x/extensions': ['.ts', '.tsx', '.js'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }],
      // Type-only imports count: a type loop is still a loop in the picture of the code.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  ...packageRules,
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
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aisle/server', '@aisle/server/*', '@aisle/client'], message: 'shared/ depends on nothing of the app.' },
          ],
        },
      ],
    },
  },
  {
    // CLIs and test tools print to the terminal on purpose.
    files: ['server/src/cli/**', 'server/src/eval/cli.ts', 'test/**', 'scripts/**', 'server/src/catalogue/demo/generate*.ts'],
    rules: { 'no-console': 'off' },
  },
);
