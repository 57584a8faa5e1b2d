/**
 * Jest runs in native ESM mode (NestJS 12 ships ES modules): ts-jest emits ESM, and Node is started
 * with --experimental-vm-modules by `npm test`.
 */
const libs = ['contracts', 'core', 'media', 'auth', 'library', 'jobs', 'system', 'users-data', 'streaming', 'plugins', 'scrapers'];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/scripts'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/apps/admin/(?!src/app/logic/)'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  moduleNameMapper: {
    ...Object.fromEntries(
      libs.flatMap((lib) => [
        [`^@marquee/${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`],
        [`^@marquee/${lib}/(.*)\\.js$`, `<rootDir>/libs/${lib}/src/$1.ts`],
      ]),
    ),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
  verbose: false,
};
