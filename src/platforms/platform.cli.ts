import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config';
import { loadDotEnvIfPresent } from '../../config/dotenv';
import { loadOrCreateDevLtiKey } from '../../config/lti-key';
import { connectMongoose, disconnectMongoose, startDatabase, StartedDatabase } from '../db/database';
import { readLiveRuntimeFile } from '../db/runtime-file';
import { createLtiAdapter } from '../lti/lti.adapter';
import { createLogger } from '../shared/logger';
import { projectRoot } from '../shared/project-root';
import { approvePlatform } from './dynamic-registration.service';
import { createPlatformService, PlatformInputError, PlatformRecord } from './platform.service';
import { isLinkCommand, LINK_USAGE, readLinkRequest, runLinkCommand } from './registration-link.cli';

const USAGE = `Manage the LMS registrations of LTI Attendance.

  npm run platform -- add --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL
                          [--name "Name"] [--deployment ID ...] [--pending]
  npm run platform -- list
  npm run platform -- remove --issuer URL --client-id ID
  npm run platform -- approve --issuer URL --client-id ID     (or: approve URL ID)
      activates a pending registration, e.g. one made by LTI Dynamic Registration
${LINK_USAGE}

Uses MONGODB_URI, or the embedded database of a running "npm start", or starts the embedded
database itself (same data directory).`;

function formatPlatform(p: PlatformRecord): string {
  const deployments = p.deploymentIds.length ? p.deploymentIds.join(', ') : 'any';
  return `${p.name}\n  issuer: ${p.issuer}\n  client id: ${p.clientId}\n  deployments: ${deployments}\n  status: ${p.status} (from ${p.source})\n  auth: ${p.authUrl}\n  token: ${p.tokenUrl}\n  jwks: ${p.jwksUrl}`;
}

async function openDatabase(config: ReturnType<typeof loadConfig>, log: ReturnType<typeof createLogger>): Promise<{ uri: string; started?: StartedDatabase }> {
  if (config.mongodbUri) return { uri: config.mongodbUri };
  // An embedded server's files cannot be opened twice: reuse the one a running app started.
  const running = await readLiveRuntimeFile(config.dataDir);
  if (running) return { uri: running.uri };
  const started = await startDatabase(
    { embedded: config.embeddedDb, dataDir: config.dataDir, projectRoot: projectRoot() },
    log,
  );
  return { uri: started.uri, started };
}

type Config = ReturnType<typeof loadConfig>;
type Log = ReturnType<typeof createLogger>;

/** Opens our database (mongoose), runs `fn`, and closes everything it opened. */
async function withDatabase<T>(config: Config, log: Log, fn: (uri: string) => Promise<T>): Promise<T> {
  const db = await openDatabase(config, log);
  await connectMongoose(db.uri, config.dbName, config.writeConcern);
  try {
    return await fn(db.uri);
  } finally {
    await disconnectMongoose();
    await db.started?.stop();
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
    return withDatabase(config, log, () => runLinkCommand(request, deps, out));
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

  const { config, log } = loadCliConfig();
  return withDatabase(config, log, (uri) => runPlatformCommand(command, { issuer, clientId, values }, config, log, uri, out));
}

async function runPlatformCommand(
  command: string,
  args: { issuer?: string; clientId?: string; values: Record<string, string | boolean | string[] | undefined> },
  config: Config,
  log: Log,
  mongoUri: string,
  out: (line: string) => void,
): Promise<number> {
  const { issuer, clientId, values } = args;
  const key = config.ltiKey ?? loadOrCreateDevLtiKey(config.dataDir).key;
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
