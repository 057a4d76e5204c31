/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Three instances behind nginx take minutes on two cores: `npm run test:cluster`, which .ci/run
  // also runs (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/cluster/'],
  // One database server for the whole run (embedded mongod or the offline stand-in);
  // every test file then uses its own database name on it.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: process.env.CI ? 2 : '50%',
  // A hang guard, not a speed check (speed is measured in bench/): generous for a loaded CI machine.
  testTimeout: 60000,
  verbose: false,
};
