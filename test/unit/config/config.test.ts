import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config, ConfigError, EMBEDDED_IN_PRODUCTION, loadConfig } from '../../../config/config';
import { loadOrCreateDevLtiKey } from '../../../config/lti-key';

const GOOD_KEY = '3f9c2a7b1e4d8f6a0c5b9e2d7a1f4c8b6e0d3a9f2c7b5e1d8a4f0c6b2e9d7a3f';

/** The ConfigError thrown for `env`, or a test failure when the environment is accepted. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('configuration from the environment', () => {
  describe('when nothing is set (development)', () => {
    let config: Config;
    beforeEach(() => {
      config = loadConfig({});
    });

    it('then the tool listens on port 3000 and calls itself http://localhost:3000', () => {
      expect(config.env).toBe('development');
      expect(config.port).toBe(3000);
      expect(config.publicUrl).toBe('http://localhost:3000');
    });

    it('then cookies are not Secure and use SameSite=Lax (plain http would drop them otherwise)', () => {
      expect(config.cookieSecure).toBe(false);
      expect(config.cookieSameSite).toBe('Lax');
    });

    it('then times are UTC, pages are English and the database is embedded', () => {
      expect(config.defaultTimezone).toBe('UTC');
      expect(config.defaultLocale).toBe('en');
      expect(config.embeddedDb).toBe('auto');
      expect(config.mongodbUri).toBeUndefined();
      expect(config.ltiKey).toBeUndefined();
    });
  });

  it('when PUBLIC_URL is https, then cookies are Secure with SameSite=None (works inside LMS iframes)', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://attendance.example.edu' });
    expect(config.cookieSecure).toBe(true);
    expect(config.cookieSameSite).toBe('None');
  });

  it('when PUBLIC_URL ends with slashes, then they are removed', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://attendance.example.edu/' }).publicUrl).toBe('https://attendance.example.edu');
    expect(loadConfig({ PUBLIC_URL: 'https://example.edu/attendance//' }).publicUrl).toBe('https://example.edu/attendance');
  });

  it('when nothing is said about durability, then writes wait for a majority of members and the journal', () => {
    expect(loadConfig({}).writeConcern).toEqual({ w: 'majority', journal: true });
    expect(loadConfig({ MONGODB_WRITE_CONCERN: '1', MONGODB_JOURNAL: 'false' }).writeConcern).toEqual({ w: 1, journal: false });
    expect(() => loadConfig({ MONGODB_WRITE_CONCERN: 'most' })).toThrow(/MONGODB_WRITE_CONCERN/);
  });

  it('when PORT is set without PUBLIC_URL, then the local URL uses that port', () => {
    expect(loadConfig({ PORT: '8081' }).publicUrl).toBe('http://localhost:8081');
  });

  it('when optional values are empty strings, then they count as unset', () => {
    const config = loadConfig({
      PUBLIC_URL: '',
      MONGODB_URI: '  ',
      LTI_KEY: '',
      COOKIE_SECURE: '',
      COOKIE_SAMESITE: '',
      ADMIN_TOKEN: '',
      PLATFORMS_FILE: '',
    });
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.mongodbUri).toBeUndefined();
    expect(config.ltiKey).toBeUndefined();
    expect(config.cookieSecure).toBe(false);
    expect(config.cookieSameSite).toBe('Lax');
    expect(config.adminToken).toBeUndefined();
    expect(config.platformsFile).toBeUndefined();
  });

  describe('in production', () => {
    it('when LTI_KEY is missing and PUBLIC_URL is http, then both problems are reported at once', () => {
      const problems = problemsOf({ NODE_ENV: 'production', PUBLIC_URL: 'http://attendance.example.edu', MONGODB_URI: 'mongodb://db.example.edu' });
      expect(problems).toEqual(
        expect.arrayContaining([expect.stringMatching(/^LTI_KEY: required in production/), expect.stringMatching(/^PUBLIC_URL: must be an https:\/\//)]),
      );
      expect(problems).toHaveLength(2);
    });

    it('when PUBLIC_URL is missing, then it is required', () => {
      expect(problemsOf({ NODE_ENV: 'production', LTI_KEY: GOOD_KEY, MONGODB_URI: 'mongodb://db.example.edu' })).toEqual([expect.stringMatching(/^PUBLIC_URL: required in production/)]);
    });

    it('when COOKIE_SECURE=false, then it is refused', () => {
      const problems = problemsOf({ NODE_ENV: 'production', LTI_KEY: GOOD_KEY, PUBLIC_URL: 'https://a.example.edu', COOKIE_SECURE: 'false' });
      expect(problems).toContainEqual(expect.stringMatching(/^COOKIE_SECURE: cannot be false in production/));
    });

    it('when a proper key and an https URL are given, then the configuration is accepted', () => {
      const config = loadConfig({ NODE_ENV: 'production', LTI_KEY: GOOD_KEY, PUBLIC_URL: 'https://attendance.example.edu', MONGODB_URI: 'mongodb+srv://cluster0.example.mongodb.net' });
      expect(config.env).toBe('production');
      expect(config.ltiKey).toBe(GOOD_KEY);
      expect(config.cookieSecure).toBe(true);
      expect(config.cookieSameSite).toBe('None');
    });
  });

  describe('the database in production (issue #16)', () => {
    const PROD = { NODE_ENV: 'production', LTI_KEY: GOOD_KEY, PUBLIC_URL: 'https://attendance.example.edu' };

    it('when MONGODB_URI is missing, then the embedded database is refused with the ways to get MongoDB', () => {
      const problems = problemsOf(PROD);
      expect(problems).toEqual([EMBEDDED_IN_PRODUCTION]);
      expect(problems[0]).toMatch(/^MONGODB_URI: required in production/);
      for (const way of ['MongoDB Community Server', 'replica set', 'rs.initiate()', 'MongoDB Atlas', 'replicaSet=rs0', 'EMBEDDED_DB_IN_PRODUCTION=true']) {
        expect(problems[0]).toContain(way);
      }
    });

    it('when EMBEDDED_DB_IN_PRODUCTION=true, then a one-server evaluation may run on the embedded database', () => {
      const config = loadConfig({ ...PROD, EMBEDDED_DB_IN_PRODUCTION: 'true' });
      expect(config.mongodbUri).toBeUndefined();
      expect(config.embeddedDbInProduction).toBe(true);
    });

    it.each(['false', 'no', ''])('when EMBEDDED_DB_IN_PRODUCTION=%j, then it is still refused', (value) => {
      expect(problemsOf({ ...PROD, EMBEDDED_DB_IN_PRODUCTION: value })).toEqual([EMBEDDED_IN_PRODUCTION]);
    });

    it('when not in production, then the embedded database needs no opt-in', () => {
      expect(loadConfig({ NODE_ENV: 'development' }).embeddedDbInProduction).toBe(false);
    });
  });

  describe('when a value is wrong, then the tool refuses to start and names it', () => {
    it('LTI_KEY shorter than 32 characters', () => {
      expect(problemsOf({ LTI_KEY: 'a'.repeat(31) })).toEqual([expect.stringMatching(/^LTI_KEY: must be at least 32 characters/)]);
      expect(loadConfig({ LTI_KEY: 'a'.repeat(32) }).ltiKey).toHaveLength(32);
    });

    it.each(['changeme-changeme-changeme-changeme', 'CHANGE-ME-please-0123456789abcdef', 'secret0123456789abcdef0123456789ab', 'LTIKEY_0123456789abcdef0123456789'])(
      'LTI_KEY that looks like a placeholder (%s)',
      (key) => {
        expect(problemsOf({ LTI_KEY: key })).toEqual([expect.stringMatching(/^LTI_KEY: looks like a placeholder/)]);
      },
    );

    it('DEFAULT_TIMEZONE that is not an IANA zone', () => {
      expect(problemsOf({ DEFAULT_TIMEZONE: 'Mars/Olympus_Mons' })).toEqual([expect.stringMatching(/^DEFAULT_TIMEZONE: .*IANA/)]);
      expect(loadConfig({ DEFAULT_TIMEZONE: 'Europe/Riga' }).defaultTimezone).toBe('Europe/Riga');
    });

    it.each(['abc', '70000', '-1', '80.5'])('PORT=%s', (port) => {
      expect(problemsOf({ PORT: port })).toEqual([expect.stringMatching(/^PORT: /)]);
    });

    it('MONGODB_URI that is not a mongodb:// URI', () => {
      expect(problemsOf({ MONGODB_URI: 'postgres://db.example/x' })).toEqual([expect.stringMatching(/^MONGODB_URI: must start with mongodb:\/\//)]);
      expect(loadConfig({ MONGODB_URI: 'mongodb+srv://u:p@cluster.example/x' }).mongodbUri).toBe('mongodb+srv://u:p@cluster.example/x');
    });

    it('COOKIE_SAMESITE=None with COOKIE_SECURE=false (browsers would drop the cookie)', () => {
      expect(problemsOf({ COOKIE_SAMESITE: 'None', COOKIE_SECURE: 'false' })).toEqual([expect.stringMatching(/^COOKIE_SAMESITE: None requires COOKIE_SECURE=true/)]);
    });

    it('several schema problems are listed together', () => {
      const problems = problemsOf({ PORT: 'abc', MONGODB_URI: 'postgres://x', DEFAULT_TIMEZONE: 'Nowhere/Land' });
      expect(problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['PORT', 'MONGODB_URI', 'DEFAULT_TIMEZONE']));
    });
  });

  it('when values with defaults are left empty (PORT= in .env), then the defaults apply', () => {
    const config = loadConfig({
      PORT: '', HOST: '', NODE_ENV: '', MONGODB_DB: '', DATA_DIR: '', EMBEDDED_DB: '', DEFAULT_TIMEZONE: '',
      DEFAULT_LOCALE: '', LOG_LEVEL: '', LTI_TOKEN_MAX_AGE: '', CLEANUP_INTERVAL_SECONDS: '',
    });
    expect(config).toMatchObject({
      port: 3000, host: '127.0.0.1', env: 'development', dbName: 'lti_attendance', dataDir: './data', embeddedDb: 'auto',
      defaultTimezone: 'UTC', defaultLocale: 'en', logLevel: 'info', tokenMaxAgeSeconds: 60, cleanupIntervalSeconds: 900,
    });
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('when a value is malformed in production, then the missing production settings are reported in the same run', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'abc' });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('LTI_KEY:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('PUBLIC_URL:'))).toBe(true);
  });

  it('when the error is printed, then every problem is on its own line', () => {
    const err = new ConfigError(['A: one', 'B: two']);
    expect(err.message).toBe('Invalid configuration:\n  - A: one\n  - B: two');
  });
});

describe('development LTI key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lti-key-test-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when no key file exists, then a 64-hex key is created that only the owner can read', () => {
    const dataDir = path.join(dir, 'data');
    const first = loadOrCreateDevLtiKey(dataDir);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^[0-9a-f]{64}$/);
    expect(first.path).toBe(path.join(dataDir, 'lti-key'));
    expect(fs.readFileSync(first.path, 'utf8').trim()).toBe(first.key);
    if (process.platform !== 'win32') expect(fs.statSync(first.path).mode & 0o777).toBe(0o600);
  });

  it('when the key file exists, then the same key is returned on the next start', () => {
    const first = loadOrCreateDevLtiKey(dir);
    const second = loadOrCreateDevLtiKey(dir);
    expect(second).toEqual({ key: first.key, created: false, path: first.path });
  });

  it('when the key file holds a too-short key, then a new key replaces it', () => {
    fs.writeFileSync(path.join(dir, 'lti-key'), 'short\n');
    const result = loadOrCreateDevLtiKey(dir);
    expect(result.created).toBe(true);
    expect(result.key).toMatch(/^[0-9a-f]{64}$/);
  });
});
