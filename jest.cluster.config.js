/** @type {import('jest').Config} */
// `npm run test:cluster`: three tool instances behind Debian's nginx on one database
// (test/integration/cluster). Run by .ci/run after `npm test`; kept out of `npm test` because it
// takes minutes on a 2-core machine.
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/integration/cluster/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 600000,
};
