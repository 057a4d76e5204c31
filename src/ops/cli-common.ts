import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { Config, ConfigError, loadConfig } from '../../config/config';
import { loadDotEnvIfPresent } from '../../config/dotenv';
import { createLogger, Logger } from '../shared/logger';
import { projectRoot } from '../shared/project-root';
import { ArchiveError } from './archive';
import { EXIT, OpsRefusal, UsageError } from './ops-errors';

/** What the backup and restore commands share: arguments, configuration, exit codes. */

export type Out = (line: string) => void;

/** node:util parseArgs, with its errors (unknown option, missing value) as usage errors. */
export function parseFlags<T extends ParseArgsConfig['options']>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * npm runs scripts in the project folder; a relative FILE means the folder the operator typed
 * the command in (npm passes it as INIT_CWD), as it would for any other command.
 */
export function resolveUserPath(file: string): string {
  return path.resolve(process.env['INIT_CWD'] ?? process.cwd(), file);
}

export function loadCliConfig(): { config: Config; log: Logger } {
  loadDotEnvIfPresent(projectRoot());
  const config = loadConfig(process.env);
  // The database layer's "Using …" lines are info; the command prints its own summary instead.
  return { config, log: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel) };
}

export function toolIdentity(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { name?: string; version?: string };
  return { name: pkg.name ?? 'lti-attendance', version: pkg.version ?? 'unknown' };
}

/** Runs a command body and turns what it throws into a message and an exit code. */
export async function runCommand(usage: string, out: Out, err: Out, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n\n${usage}`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      err(`${e.message}\nSee .env.example for every setting.`);
      return EXIT.config;
    }
    if (e instanceof OpsRefusal) {
      err(e.message);
      return EXIT.refused;
    }
    if (e instanceof ArchiveError) {
      err(`${e.message}\nNothing was restored.`);
      return EXIT.badArchive;
    }
    err(`Failed: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Runs `main` as the process when the file is the entry point (npm run …). */
export function runAsMain(mod: NodeModule, main: (argv: string[], out: Out, err: Out) => Promise<number>): void {
  if (require.main !== mod) return;
  main(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  )
    .then((code) => process.exit(code))
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(EXIT.failed);
    });
}
