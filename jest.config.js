// One Jest config for unit specs (beside the code, bench/ included) and e2e specs (test/).
// @swc/jest compiles with decorator metadata, as Nest's DI needs; `tsc --noEmit` checks types separately.
const swcOptions = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
};

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/bench'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/faults/'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@gc/contracts$': '<rootDir>/libs/contracts/src',
    '^@gc/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
    '^@gc/queueing$': '<rootDir>/libs/queueing/src',
    '^@gc/queueing/(.*)$': '<rootDir>/libs/queueing/src/$1',
    '^@gc/persistence$': '<rootDir>/libs/persistence/src',
    '^@gc/persistence/(.*)$': '<rootDir>/libs/persistence/src/$1',
    '^@gc/observability$': '<rootDir>/libs/observability/src',
    '^@gc/observability/(.*)$': '<rootDir>/libs/observability/src/$1',
  },
  testEnvironment: 'node',
  // A Node process warning printed by any app process a suite started fails that suite.
  setupFilesAfterEnv: ['<rootDir>/test/support/no-process-warnings.ts'],
  // e2e suites start real processes; two workers match the two cores.
  maxWorkers: 2,
  testTimeout: 120_000,
};
