import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config';
import { loadDotEnvIfPresent } from '../../config/dotenv';
import { connectMongoose, disconnectMongoose } from '../db/database';
import { createLtiAdapter } from '../lti/lti.adapter';
import { createLogger } from '../shared/logger';
import { projectRoot } from '../shared/project-root';
import { findToolDatabase, NoToolData, toolLtiKey } from './cli-database';
import { approvePlatform } from './dynamic-registration.service';
import { createPlatformService, PlatformInputError, PlatformRecord, parsePlatformsFile } from './platform.service';
import type { PlatformRegistration } from './platform.schema';
import { isLinkCommand, LINK_USAGE, readLinkRequest, runLinkCommand } from './registration-link.cli';

const USAGE = `Manage the LMS registrations of LTI Attendance.

  npm run platform -- add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL
                          [--name "Name"] [--deployment ID ...] [--pending] [--lms openedx|moodle|canvas|other]
  npm run platform -- add --from-json FILE
      registers every entry of a JSON list (e.g. each LTI block of an Open edX course):
      [{ "issuer", "clientId", "authUrl", "tokenUrl", "jwksUrl", "name", "deploymentIds", "lms" }, ...]
      every entry is checked first; if any is wrong, all problems are listed and nothing is saved
  npm run platform -- list
  npm run platform -- remove --issuer URL --client-id ID
  npm run platform -- approve --issuer URL --client-id ID     (or: approve URL ID)
      activates a pending registration, e.g. one made by LTI Dynamic Registration
${LINK_USAGE}

Uses MONGODB_URI, or the embedded database of a running "npm start" on DATA_DIR, or starts the
embedded database on DATA_DIR's existing data. It never creates a database: without the tool's
data (another DATA_DIR or MONGODB_DB than the tool's) it says so and exits with code 3.`;

const LMS_NAMES: Record<NonNullable<PlatformRecord['lms']>, string> = { openedx: 'Open edX', moodle: 'Moodle', canvas: 'Canvas', other: 'other' };

function formatPlatform(p: PlatformRecord): string {
  const deployments = p.deploymentIds.length ? p.deploymentIds.join(', ') : 'any';
  const lms = p.lms ? `\n  LMS: ${LMS_NAMES[p.lms]}` : '';
  return `${p.name}\n  issuer: ${p.issuer}\n  client id: ${p.clientId}${lms}\n  deployments: ${deployments}\n  status: ${p.status} (from ${p.source})\n  auth: ${p.authUrl}\n  token: ${p.tokenUrl}\n  jwks: ${p.jwksUrl}`;
}

const SINGLE_ADD_OPTIONS = ['issuer', 'client-id', 'auth-url', 'token-url', 'jwks-url', 'name', 'deployment', 'pending', 'lms'] as const;

/**
 * `add --from-json FILE`, read and checked before any database is opened: the registrations,
 * or every problem (file, JSON, each entry's fields, duplicates) to print with exit code 2.
 */
async function readFromJson(file: string, values: Record<string, unknown>): Promise<{ platforms: PlatformRegistration[] } | { problems: string[] }> {
  const mixed = SINGLE_ADD_OPTIONS.filter((o) => values[o] !== undefined);
  if (mixed.length > 0) return { problems: mixed.map((o) => `--from-json cannot be combined with --${o}: put it in the file's entries`) };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = err instanceof SyntaxError ? `not valid JSON (${err.message})` : (err as Error).message;
    return { problems: [`${file}: ${reason}`] };
  }
  try {
    return { platforms: parsePlatformsFile(raw, file, { requireEntries: true }) };
  } catch (err) {
    if (err instanceof PlatformInputError) return { problems: [`Invalid registrations, nothing was saved:`, ...err.problems.map((p) => `  - ${p}`)] };
    throw err;
  }
}

type Config = ReturnType<typeof loadConfig>;
type Log = ReturnType<typeof createLogger>;

/** Opens the tool's database (mongoose), runs `fn`, and closes everything it opened. Exit code 3: no tool data found. */
async function withDatabase(config: Config, log: Log, out: (line: string) => void, fn: (uri: string) => Promise<number>): Promise<number> {
  try {
    const db = await findToolDatabase(config, log);
    await connectMongoose(db.uri, config.dbName, config.writeConcern);
    try {
      return await fn(db.uri);
    } finally {
      await disconnectMongoose();
      await db.started?.stop();
    }
  } catch (err) {
    if (!(err instanceof NoToolData)) throw err;
    out(err.message);
    return 3;
  }
}

function loadCliConfig(): { config: Config; log: Log } {
  loadDotEnvIfPresent(projectRoot());
  const config = loadConfig(process.env);
  return { config, log: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel) };
}

export async function runPlatformCli(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'auth-url': { type: 'string' },
      'token-url': { type: 'string' },
      'jwks-url': { type: 'string' },
      name: { type: 'string' },
      deployment: { type: 'string', multiple: true },
      pending: { type: 'boolean' },
      lms: { type: 'string' },
      'from-json': { type: 'string' },
      expires: { type: 'string' },
      uses: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (isLinkCommand(command) && !values.help) {
    // Checked before any database is opened, so a typo fails at once.
    const request = readLinkRequest(command, { expires: values.expires, uses: values.uses, id: positionals[1] });
    if ('problems' in request) {
      out(request.problems.join('\n'));
      return 2;
    }
    const { config, log } = loadCliConfig();
    const deps = { publicUrl: config.publicUrl, dynamicRegistrationEnabled: config.dynamicRegistration.enabled, now: () => new Date() };
    return withDatabase(config, log, out, () => runLinkCommand(request, deps, out));
  }
  if (values.help || !command || !['add', 'list', 'remove', 'approve'].includes(command)) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  // `approve <issuer> <client-id>` is accepted too: the shortest thing to paste from the LMS.
  const issuer = values.issuer ?? (command === 'approve' ? positionals[1] : undefined);
  const clientId = values['client-id'] ?? (command === 'approve' ? positionals[2] : undefined);
  if ((command === 'remove' || command === 'approve') && (!issuer || !clientId)) {
    out(`${command} needs --issuer and --client-id`);
    return 2;
  }

  let fromJson: PlatformRegistration[] | undefined;
  const file = values['from-json'];
  if (command === 'add' && file !== undefined) {
    const read = await readFromJson(file, values);
    if ('problems' in read) {
      out(read.problems.join('\n'));
      return 2;
    }
    fromJson = read.platforms;
  }

  const { config, log } = loadCliConfig();
  return withDatabase(config, log, out, (uri) => runPlatformCommand(command, { issuer, clientId, values, fromJson }, config, log, uri, out));
}

async function runPlatformCommand(
  command: string,
  args: { issuer?: string; clientId?: string; values: Record<string, string | boolean | string[] | undefined>; fromJson?: PlatformRegistration[] },
  config: Config,
  log: Log,
  mongoUri: string,
  out: (line: string) => void,
): Promise<number> {
  const { issuer, clientId, values, fromJson } = args;
  const key = toolLtiKey(config); // never a new one: see cli-database.ts
  const lti = await createLtiAdapter({
    key,
    mongoUri,
    dbName: `${config.dbName}_ltijs`,
    publicUrl: config.publicUrl,
    cookies: { secure: config.cookieSecure, sameSite: config.cookieSameSite },
    tokenMaxAgeSeconds: config.tokenMaxAgeSeconds,
    defaultLocale: config.defaultLocale,
    log,
    onLaunch: async () => undefined,
    onDeepLinking: async () => undefined,
    refuse: () => undefined,
  });
  const platforms = createPlatformService(lti.platformStore);
  try {
    if (command === 'list') {
      const all = await platforms.listPlatforms();
      out(all.length ? all.map(formatPlatform).join('\n\n') : 'No LMS is registered yet.');
    } else if (command === 'add' && fromJson) {
      const saved = await platforms.upsertPlatforms(fromJson, 'cli');
      out(`Saved ${saved.length} registration${saved.length === 1 ? '' : 's'}:\n${saved.map(formatPlatform).join('\n\n')}`);
    } else if (command === 'add') {
      const saved = await platforms.upsertPlatform(
        {
          issuer: values.issuer,
          clientId: values['client-id'],
          name: values.name,
          authUrl: values['auth-url'],
          tokenUrl: values['token-url'],
          jwksUrl: values['jwks-url'],
          deploymentIds: values.deployment ?? [],
          status: values.pending ? 'pending' : 'active',
          lms: values.lms,
        },
        'cli',
      );
      out(`Saved:\n${formatPlatform(saved)}`);
    } else if (command === 'approve') {
      const approved = await approvePlatform(platforms, issuer ?? '', clientId ?? '');
      out(approved ? `Approved:\n${formatPlatform(approved)}` : 'No such registration.');
      if (!approved) return 1;
    } else {
      const removed = await platforms.removePlatform(issuer ?? '', clientId ?? '');
      out(removed ? 'Removed.' : 'No such registration.');
      if (!removed) return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof PlatformInputError) {
      out(err.message);
      return 2;
    }
    throw err;
  } finally {
    await lti.close();
  }
}

if (require.main === module) {
  runPlatformCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
