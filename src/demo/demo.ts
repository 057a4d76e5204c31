/**
 * Demo mode (`npm run demo`): the tool plus a built-in LMS simulator registered with it, with a
 * sample course, on the embedded database. Never in production: the simulator signs launches
 * for anyone who clicks.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Config, loadConfig } from '../../config/config';
import { courseKey } from '../courses/keys';
import { GroupModel } from '../groups/group.model';
import { approvePlatform } from '../platforms/dynamic-registration.service';
import { createRegistrationLinkService } from '../platforms/registration-link.service';
import { startTool, Tool } from '../server';
import { createLogger, Logger } from '../shared/logger';
import { loadConfigOrExit, onShutdownSignals, resolveLtiKey, secureDataDir, startDatabaseOrExit, startLogger } from '../startup';
import { DEMO_CLIENT_ID, DEMO_CONTEXT, DEMO_GROUPS, DEMO_MEMBERS, DEMO_RESOURCE_LINK } from './demo-course';
import { demoPages } from './lms-simulator/pages';
import { LmsSimulator } from './lms-simulator/simulator';

export interface DemoOptions {
  /** 0 = any free port (tests) */
  toolPort: number;
  lmsPort: number;
  mongoUri: string;
  /** default: the config's database name */
  dbName?: string;
  /** default: built from the ports and dbName */
  config?: Config;
  ltiKey?: string;
  log?: Logger;
}

export interface Demo {
  tool: Tool;
  lms: LmsSimulator;
  /** The tool's course id of the sample course (what a launch from the simulator produces). */
  courseId: string;
  /** The simulator's course page: the URL to open. */
  homeUrl: string;
  close(): Promise<void>;
}

export class DemoRefusedError extends Error {}

export function assertNotProduction(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production') {
    throw new DemoRefusedError('Demo mode is not available with NODE_ENV=production: its LMS simulator lets anyone launch as anyone.');
  }
}

/**
 * The simulator registers itself through LTI Dynamic Registration on 127.0.0.1 / localhost,
 * which the tool contacts only for hosts on DYNREG_ALLOWED_HOSTS (any others the user listed stay).
 */
export function demoRegistrationEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const hosts = [env.DYNREG_ALLOWED_HOSTS ?? '', 'localhost', '127.0.0.1'].flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean);
  return { DYNREG_ENABLED: 'true', DYNREG_ALLOWED_HOSTS: [...new Set(hosts)].join(',') };
}

function demoConfig(opts: DemoOptions): Config {
  return loadConfig({
    NODE_ENV: process.env.NODE_ENV === 'test' ? 'test' : 'development',
    HOST: '127.0.0.1',
    PORT: String(opts.toolPort),
    PUBLIC_URL: opts.toolPort === 0 ? undefined : `http://localhost:${opts.toolPort}`,
    MONGODB_DB: opts.dbName ?? 'lti_attendance_demo',
    COOKIE_SECURE: 'false',
    COOKIE_SAMESITE: 'Lax',
    LOG_LEVEL: process.env.NODE_ENV === 'test' ? (process.env.TEST_LOG_LEVEL ?? 'silent') : (process.env.LOG_LEVEL ?? 'info'),
    ...demoRegistrationEnv({}),
  });
}

/**
 * The simulator registers itself as an LMS does in production: the demo makes a registration
 * link (the same service as `npm run platform -- registration-link`), the simulator opens it
 * with its own configuration URL and registration token (LTI Dynamic Registration), and the
 * demo approves the result. A restart on the same database finds it registered already.
 */
async function registerSimulator(tool: Tool, lms: LmsSimulator): Promise<void> {
  if (await tool.platforms.findPlatform(lms.issuer, lms.clientId)) return;
  const links = createRegistrationLinkService({ publicUrl: tool.url, now: () => new Date() });
  const link = await links.create({ expiresInMs: 10 * 60_000, uses: 1 });
  const res = await fetch(lms.dynamicRegistration.startUrl(link.url));
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`The LMS simulator could not register itself with the tool (HTTP ${res.status} from /register; see the log).`);
  await approvePlatform(tool.platforms, lms.issuer, lms.clientId);
}

/** Tool-side groups of the sample course; an upsert per group, so a restart changes nothing. */
async function seedGroups(courseId: string): Promise<void> {
  await GroupModel.bulkWrite(
    DEMO_GROUPS.map((g) => ({
      updateOne: {
        filter: { courseId, nameKey: g.name.toLowerCase() },
        update: { $set: { name: g.name, memberIds: g.memberIds }, $setOnInsert: { _id: randomUUID() } },
        upsert: true,
      },
    })),
  );
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  assertNotProduction(process.env);
  const config = opts.config ?? demoConfig(opts);
  const log = opts.log ?? createLogger(config.logLevel);
  const tool = await startTool({
    config, ltiKey: opts.ltiKey ?? randomBytes(32).toString('hex'), mongoUri: opts.mongoUri, log, publicUrlFromPort: opts.toolPort === 0,
  });
  let lms: LmsSimulator | undefined;
  try {
    // The simulator names itself with the tool's host name (localhost) so both are one site for cookies.
    lms = await LmsSimulator.start({
      toolUrl: tool.url, clientId: DEMO_CLIENT_ID, port: opts.lmsPort, host: '127.0.0.1',
      publicHost: new URL(tool.url).hostname, extraRoutes: demoPages(() => lms),
    });
    lms.setMembers(DEMO_CONTEXT.id, DEMO_MEMBERS, DEMO_CONTEXT);
    await registerSimulator(tool, lms);
    const courseId = courseKey(lms.issuer, lms.clientId, DEMO_CONTEXT.id, DEMO_RESOURCE_LINK.id);
    await seedGroups(courseId);
    const started = lms;
    return {
      tool, lms: started, courseId, homeUrl: `${started.url}/`,
      async close() {
        await started.stop();
        await tool.close();
      },
    };
  } catch (err) {
    await lms?.stop().catch(() => undefined);
    await tool.close().catch(() => undefined);
    throw err;
  }
}

async function main(): Promise<void> {
  try {
    assertNotProduction(process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const toolPort = Number(process.env.PORT ?? 3000);
  const lmsPort = Number(process.env.DEMO_LMS_PORT ?? 3001);
  const config = loadConfigOrExit(process.env, {
    HOST: '127.0.0.1', PORT: String(toolPort), PUBLIC_URL: `http://localhost:${toolPort}`,
    COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax', MONGODB_DB: process.env.MONGODB_DB ?? 'lti_attendance_demo',
    ...demoRegistrationEnv(process.env),
  });
  const log = startLogger(config);
  secureDataDir(config, log);
  const ltiKey = resolveLtiKey(config, log);
  const database = await startDatabaseOrExit(config, log);
  let demo: Demo | undefined;
  onShutdownSignals(config, log, database, async () => {
    await demo?.close();
  });
  try {
    demo = await startDemo({ toolPort, lmsPort, mongoUri: database.uri, config, ltiKey, log });
  } catch (err) {
    log.fatal({ err }, 'demo start-up failed');
    await database.stop().catch(() => undefined);
    process.exit(1);
  }
  process.stdout.write(
    `\nLTI Attendance demo is running.\n  Open the LMS simulator: ${demo.homeUrl}\n  The tool itself:        ${demo.tool.url}/\n` +
      'Stop with Ctrl-C.\n\n',
  );
}

if (require.main === module) void main();
