import { z } from 'zod';

/**
 * Typed configuration, parsed once from the environment. Every problem is reported at
 * once (the process refuses to start on a bad value) so an operator fixes them in one go.
 */

export type CookieSameSite = 'None' | 'Lax' | 'Strict';
export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  env: NodeEnv;
  host: string;
  port: number;
  /** Public base URL without a trailing slash, e.g. https://attendance.example.edu */
  publicUrl: string;
  mongodbUri?: string;
  /** Write concern of every write (ours and ltijs's): `majority` or a member count, with or without the journal. */
  writeConcern: { w: 'majority' | number; journal: boolean };
  /** Our database name; ltijs gets `${dbName}_ltijs` on the same server. */
  dbName: string;
  /** Which embedded server to try when no MONGODB_URI is set. */
  embeddedDb: 'auto' | 'mongod' | 'standin';
  /** EMBEDDED_DB_IN_PRODUCTION: the explicit opt-in to the embedded database with NODE_ENV=production (one-server evaluations). */
  embeddedDbInProduction: boolean;
  dataDir: string;
  /** Secret that signs ltijs cookies/ltiks and encrypts stored platform keys. */
  ltiKey?: string;
  cookieSecure: boolean;
  cookieSameSite: CookieSameSite;
  defaultTimezone: string;
  defaultLocale: 'en' | 'lv';
  adminToken?: string;
  /** METRICS_TOKEN: the bearer token Prometheus sends for /metrics; /metrics is off (404) without it. */
  metricsToken?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  platformsFile?: string;
  /** Allowed age (s) of an id_token's iat; ltijs's default of 10 s breaks on real clocks. */
  tokenMaxAgeSeconds: number;
  cleanupIntervalSeconds: number;
  /** Express's `trust proxy`: false, true, a hop count or addresses (for req.ip behind a proxy). */
  trustProxy: boolean | number | string;
  /** How long an ltik (the launch's key carried by every link and form) stays valid. */
  ltikMaxAgeSeconds: number;
  /** Logins that name no registered LMS, per client address (shared by all instances). */
  loginUnregisteredPer10Minutes: number;
  /** The public QR check-in page: failed requests per client IP, shared by all instances (a valid scan is never refused). */
  checkInLimits: { unknownIdsPer10Minutes: number; wrongCodesPer10Minutes: number };
  /** How long an unpaired phone's valid QR scan is held for the student's LMS launch. */
  checkInHeldScanMinutes: number;
  /** How often ended sessions are looked for to mark the unmarked (0 = never, on this instance). */
  autoMarkIntervalSeconds: number;
  /** How often due grade-sync jobs are delivered to the LMS (0 = never, on this instance). */
  gradeSyncIntervalSeconds: number;
  /** How often an instance re-reads the LMS registrations (CSP frame-ancestors, allowed deployments); other instances' changes show within this. */
  platformsRefreshSeconds: number;
  /** How long an instance answers requests from its in-process copy of a launch's ltijs documents (0 = no copy). */
  launchCacheSeconds: number;
  /** LTI Dynamic Registration at /register (see src/platforms/dynamic-registration.ts). */
  dynamicRegistration: DynamicRegistrationConfig;
}

export interface DynamicRegistrationConfig {
  enabled: boolean;
  /** New registrations start active (true) or pending until an admin approves them (false). */
  autoActivate: boolean;
  /**
   * Host names whose LMSs may register; `*.example.edu` matches subdomains. Empty = any host on
   * a public address. Listed hosts may also be on loopback or private addresses (an LMS in the
   * tool's own network, localhost in development); nobody else may (src/platforms/address-policy.ts).
   */
  allowedHosts: string[];
  /** Attempts per client IP in 10 minutes, counted in the database for all instances (0 = no limit). */
  requestsPer10Minutes: number;
}

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const isIanaZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  MONGODB_WRITE_CONCERN: z.string().regex(/^(majority|[1-9])$/, 'majority or a number of members (1-9)').default('majority'),
  MONGODB_JOURNAL: boolish.default(true),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,38}$/, 'letters, digits, _ and - only (max 38)').default('lti_attendance'),
  EMBEDDED_DB: z.enum(['auto', 'mongod', 'standin']).default('auto'),
  EMBEDDED_DB_IN_PRODUCTION: boolish.default(false),
  DATA_DIR: z.string().min(1).default('./data'),
  LTI_KEY: z.string().optional(),
  COOKIE_SECURE: boolish.optional(),
  COOKIE_SAMESITE: z.enum(['None', 'Lax', 'Strict']).optional(),
  DEFAULT_TIMEZONE: z.string().refine(isIanaZone, 'must be an IANA time zone such as Europe/Riga').default('UTC'),
  DEFAULT_LOCALE: z.enum(['en', 'lv']).default('en'),
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PLATFORMS_FILE: z.string().optional(),
  LTI_TOKEN_MAX_AGE: z.coerce.number().int().min(10).max(600).default(60),
  CLEANUP_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(86400).default(900),
  TRUST_PROXY: z.string().regex(/^(true|false|\d{1,2}|[A-Za-z0-9.:/, _-]{1,500})$/, 'true, false, a hop count or a list of addresses/subnets').default('false'),
  LTIK_MAX_AGE_HOURS: z.coerce.number().min(0.25).max(168).default(12),
  LOGIN_IP_UNREGISTERED_PER_10_MINUTES: z.coerce.number().int().min(0).max(100_000).default(30),
  CHECKIN_IP_UNKNOWN_IDS_PER_10_MINUTES: z.coerce.number().int().min(0).max(100_000).default(50),
  CHECKIN_IP_WRONG_CODES_PER_10_MINUTES: z.coerce.number().int().min(0).max(100_000).default(50),
  CHECKIN_HELD_SCAN_MINUTES: z.coerce.number().int().min(1).max(30).default(5),
  AUTO_MARK_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(20),
  GRADE_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  PLATFORMS_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  LAUNCH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  DYNREG_ENABLED: boolish.default(true),
  DYNREG_AUTO_ACTIVATE: boolish.default(false),
  DYNREG_ALLOWED_HOSTS: z
    .string()
    .regex(/^\s*(\*\.)?[A-Za-z0-9.-]+(:\d+)?\s*(,\s*(\*\.)?[A-Za-z0-9.-]+(:\d+)?\s*)*$/, 'a comma-separated list of host names, e.g. moodle.example.edu, *.example.edu')
    .optional(),
  DYNREG_RATE_LIMIT_PER_10_MINUTES: z.coerce.number().int().min(0).max(100_000).default(10),
});

function trustProxyValue(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const MIN_LTI_KEY_LENGTH = 32;

/** Why production needs MONGODB_URI, and the ways to get a MongoDB (docs/admin-guide.md, Production database). */
export const EMBEDDED_IN_PRODUCTION =
  'MONGODB_URI: required in production. The embedded database is one process on this server, without replication; ' +
  'records students are judged by belong on MongoDB: the free MongoDB Community Server (https://www.mongodb.com/try/download/community) ' +
  'run as a replica set (three members, or one for a start: mongod --replSet rs0, then rs.initiate()), or MongoDB Atlas. ' +
  'Then set e.g. MONGODB_URI=mongodb://db1.example.edu,db2.example.edu,db3.example.edu/?replicaSet=rs0. ' +
  'For a one-server evaluation only, set EMBEDDED_DB_IN_PRODUCTION=true.';

/**
 * Parses the environment. `ltiKey` may be absent in development/test: main.ts then loads or
 * generates a persisted one (see lti-key.ts). In production everything must be explicit.
 */
/** Checks across variables, run on the raw strings so they report even when parsing failed. */
function crossChecks(raw: Record<string, string>): string[] {
  const problems: string[] = [];
  const key = raw.LTI_KEY;
  const https = (raw.PUBLIC_URL ?? '').startsWith('https://');
  if (raw.NODE_ENV === 'production') {
    if (!key) problems.push(`LTI_KEY: required in production (a random secret of ${MIN_LTI_KEY_LENGTH}+ characters; changing it later breaks every registration)`);
    if (!raw.PUBLIC_URL) problems.push('PUBLIC_URL: required in production (the https address LMSs reach the tool at)');
    else if (!https) problems.push('PUBLIC_URL: must be an https:// URL in production (LMS iframes need secure cookies)');
    if (['false', '0', 'no'].includes(raw.COOKIE_SECURE ?? '')) problems.push('COOKIE_SECURE: cannot be false in production');
    if (!raw.MONGODB_URI && !['true', '1', 'yes'].includes(raw.EMBEDDED_DB_IN_PRODUCTION ?? '')) problems.push(EMBEDDED_IN_PRODUCTION);
  }
  if (key && key.length < MIN_LTI_KEY_LENGTH) problems.push(`LTI_KEY: must be at least ${MIN_LTI_KEY_LENGTH} characters`);
  if (key && /^(changeme|change-me|secret|LTIKEY)/i.test(key)) problems.push('LTI_KEY: looks like a placeholder; generate a random one (e.g. `openssl rand -hex 32`)');
  return problems;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value (`PORT=` in .env) means "use the default", never 0 or "".
  const raw = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== ''),
  );
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  problems.push(...crossChecks(raw));
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const https = publicUrl.startsWith('https://');
  const cookieSecure = e.COOKIE_SECURE ?? https;
  const cookieSameSite: CookieSameSite = e.COOKIE_SAMESITE ?? (cookieSecure ? 'None' : 'Lax');
  if (cookieSameSite === 'None' && !cookieSecure) problems.push('COOKIE_SAMESITE: None requires COOKIE_SECURE=true (browsers drop such cookies)');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    mongodbUri: e.MONGODB_URI,
    writeConcern: { w: e.MONGODB_WRITE_CONCERN === 'majority' ? 'majority' : Number(e.MONGODB_WRITE_CONCERN), journal: e.MONGODB_JOURNAL },
    dbName: e.MONGODB_DB,
    embeddedDb: e.EMBEDDED_DB,
    embeddedDbInProduction: e.EMBEDDED_DB_IN_PRODUCTION,
    dataDir: e.DATA_DIR,
    ltiKey: e.LTI_KEY,
    cookieSecure,
    cookieSameSite,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    defaultLocale: e.DEFAULT_LOCALE,
    adminToken: e.ADMIN_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    platformsFile: e.PLATFORMS_FILE,
    tokenMaxAgeSeconds: e.LTI_TOKEN_MAX_AGE,
    cleanupIntervalSeconds: e.CLEANUP_INTERVAL_SECONDS,
    trustProxy: trustProxyValue(e.TRUST_PROXY),
    ltikMaxAgeSeconds: Math.round(e.LTIK_MAX_AGE_HOURS * 3600),
    loginUnregisteredPer10Minutes: e.LOGIN_IP_UNREGISTERED_PER_10_MINUTES,
    checkInLimits: { unknownIdsPer10Minutes: e.CHECKIN_IP_UNKNOWN_IDS_PER_10_MINUTES, wrongCodesPer10Minutes: e.CHECKIN_IP_WRONG_CODES_PER_10_MINUTES },
    checkInHeldScanMinutes: e.CHECKIN_HELD_SCAN_MINUTES,
    autoMarkIntervalSeconds: e.AUTO_MARK_INTERVAL_SECONDS,
    gradeSyncIntervalSeconds: e.GRADE_SYNC_INTERVAL_SECONDS,
    platformsRefreshSeconds: e.PLATFORMS_REFRESH_SECONDS,
    launchCacheSeconds: e.LAUNCH_CACHE_SECONDS,
    dynamicRegistration: {
      enabled: e.DYNREG_ENABLED,
      autoActivate: e.DYNREG_AUTO_ACTIVATE,
      allowedHosts: (e.DYNREG_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
      requestsPer10Minutes: e.DYNREG_RATE_LIMIT_PER_10_MINUTES,
    },
  };
}
