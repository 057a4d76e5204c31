/**
 * Child process for standin-blocked-parent.test.ts: starts a stand-in through startStandin, prints
 * where it listens, then blocks its own event loop (as a synchronous spawn or a long computation
 * would) for BLOCK_MS. It never reads anything from the stand-in meanwhile.
 */
import path from 'node:path';
import { startStandin } from '../../../src/db/standin';

const BLOCK_MS = Number(process.env['BLOCK_MS'] ?? 30_000);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<void> {
  const projectRoot = path.resolve(__dirname, '..', '..', '..');
  const logFile = process.env['STANDIN_LOG_FILE'];
  const db = await startStandin({ projectRoot, ...(logFile ? { logFile } : {}) }, quiet);
  const blockedUntil = Date.now() + BLOCK_MS;
  // Pipes are written synchronously on Linux, so the parent has this line before the block starts.
  process.stdout.write(`${JSON.stringify({ uri: db.uri, pid: db.pid, blockedUntil })}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS);
  await db.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
