import { randomBytes } from 'node:crypto';
import { testMongoUri } from './test-db';

type Cli = typeof import('../../src/platforms/platform.cli');

/** The settings an administrator's shell gives `npm run platform` for the database `dbName`. */
export function cliEnv(dbName: string): Record<string, string> {
  return {
    MONGODB_URI: testMongoUri(), MONGODB_DB: dbName, LTI_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent', NODE_ENV: 'development',
    PUBLIC_URL: 'https://attendance.example.edu',
  };
}

/**
 * Runs `npm run platform -- <args>` as an administrator would, with `env` in process.env (put
 * back afterwards). In a module registry of its own, so it has its own mongoose and ltijs
 * Provider, as a separate process would, next to a tool harness in this process; a child process
 * per command cost ~7 s of start-up.
 */
export async function runCli(env: Record<string, string>, ...args: string[]): Promise<{ status: number; out: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const lines: string[] = [];
  try {
    let status = -1;
    await jest.isolateModulesAsync(async () => {
      const { runPlatformCli } = (await import('../../src/platforms/platform.cli')) as Cli;
      status = await runPlatformCli(args, (line) => lines.push(line));
    });
    return { status, out: lines.join('\n') };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
