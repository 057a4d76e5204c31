/**
 * Helpers for test files: one database server per jest run (started by global-setup.ts),
 * one database name per test file so files can run in parallel on it.
 */
import { randomBytes } from 'node:crypto';

/** MongoDB allows 63 bytes, but some deployments (and older servers) cap names at 38. */
const MAX_DB_NAME = 38;

export function testDbName(prefix = 't'): string {
  const suffix = randomBytes(4).toString('hex');
  // Only characters valid on every platform: no dots, slashes, spaces, quotes or '$'.
  const clean = prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_DB_NAME - suffix.length - 1) || 't';
  return `${clean}_${suffix}`;
}

export function testMongoUri(): string {
  const uri = process.env['TEST_MONGODB_URI'];
  if (!uri) {
    throw new Error(
      'TEST_MONGODB_URI is not set: test/support/global-setup.ts did not run. ' +
        'Run the tests through jest with jest.config.js (npx jest ...), which starts the test database.',
    );
  }
  return uri;
}

/** Which server the run uses ('external' | 'mongod' | 'standin'), for tests that must adapt. */
export function testDbKind(): string | undefined {
  return process.env['TEST_DB_KIND'];
}
