/**
 * The commands that build and start the tool in production, in one place: the Dockerfile, the
 * systemd unit and docs/deploy.md use exactly these, and the tests run exactly these
 * (test/integration/app/production-database.test.ts builds and starts the tool with them;
 * deploy-files.test.ts checks the files still say the same).
 */
export const INSTALL = 'npm ci --no-audit --no-fund';
export const BUILD = 'npm run build';
/** `npm start` runs the build first; a service runs the built file directly, so SIGTERM reaches it. */
export const START = ['node', 'dist/src/main.js'] as const;
