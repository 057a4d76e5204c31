/**
 * The real tool as `npm start` runs it: src/main.ts in a child process, configured only through
 * its environment. For tests of start-up, signals and production settings.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { START } from './deploy-commands';

export const projectRoot = path.resolve(__dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ChildTool {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** `built`: run dist/src/main.js (after `npm run build`), as production does, instead of the TypeScript sources. */
export function spawnTool(env: NodeJS.ProcessEnv, opts: { built?: boolean } = {}): ChildTool {
  const args = opts.built ? START.slice(1) : ['-r', 'ts-node/register/transpile-only', 'src/main.ts'];
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits until GET url+path answers 200; throws with the tool's output if it exits or takes over a minute. */
export async function waitForOk(tool: ChildTool, url: string, pathname = '/healthz'): Promise<void> {
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}${pathname}`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (i > 120 || tool.child.exitCode !== null) throw new Error(`the tool did not start: ${tool.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
