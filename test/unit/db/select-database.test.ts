import {
  DatabaseUnavailableError,
  redactMongoUri,
  selectDatabase,
} from '../../../src/db/select-database';
import type { DatabaseKind, DatabaseStarters, DbLogger, StartedDatabase } from '../../../src/db/select-database';

function fakeDb(kind: DatabaseKind, uri: string): StartedDatabase {
  return { kind, uri, description: `fake ${kind}`, stop: jest.fn(async () => {}) };
}

function recordingLog(): DbLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (obj: object | string, msg?: string) => lines.push(typeof obj === 'string' ? obj : (msg ?? ''));
  return { lines, info: jest.fn(push), warn: jest.fn(push), error: jest.fn(push) };
}

type Outcome = StartedDatabase | Error;

function starters(mongod: Outcome, standin: Outcome): DatabaseStarters & { calls: string[] } {
  const calls: string[] = [];
  const make = (name: string, outcome: Outcome) => async () => {
    calls.push(name);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return { calls, memoryServer: make('mongod', mongod), standin: make('standin', standin) };
}

const MONGOD = fakeDb('mongod', 'mongodb://127.0.0.1:1111/');
const STANDIN = fakeDb('standin', 'mongodb://127.0.0.1:2222');

describe('selectDatabase', () => {
  it('uses MONGODB_URI and never starts anything', async () => {
    const s = starters(MONGOD, STANDIN);
    const log = recordingLog();
    const db = await selectDatabase({ mongodbUri: 'mongodb://u:secret@db.example:27017/x', embedded: 'auto' }, s, log);
    expect(db.kind).toBe('external');
    expect(db.uri).toBe('mongodb://u:secret@db.example:27017/x');
    expect(db.description).not.toContain('secret');
    expect(s.calls).toEqual([]);
    await expect(db.stop()).resolves.toBeUndefined();
    expect(log.lines).toHaveLength(1);
    expect(JSON.stringify((log.info as jest.Mock).mock.calls)).not.toContain('secret');
  });

  it('uses MONGODB_URI even when an embedded server is forced', async () => {
    const s = starters(MONGOD, STANDIN);
    const db = await selectDatabase({ mongodbUri: 'mongodb://h', embedded: 'standin' }, s, recordingLog());
    expect(db.kind).toBe('external');
    expect(s.calls).toEqual([]);
  });

  it('treats a blank MONGODB_URI as unset', async () => {
    const s = starters(MONGOD, STANDIN);
    const db = await selectDatabase({ mongodbUri: '  ', embedded: 'auto' }, s, recordingLog());
    expect(db).toBe(MONGOD);
  });

  it('auto: prefers the embedded mongod and does not start the stand-in', async () => {
    const s = starters(MONGOD, STANDIN);
    const log = recordingLog();
    const db = await selectDatabase({ embedded: 'auto' }, s, log);
    expect(db).toBe(MONGOD);
    expect(s.calls).toEqual(['mongod']);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/Using embedded mongod/);
  });

  it('auto: falls back to the stand-in when mongod fails, logging why', async () => {
    const s = starters(new Error('no mongod binary and the download site is unreachable'), STANDIN);
    const log = recordingLog();
    const db = await selectDatabase({ embedded: 'auto' }, s, log);
    expect(db).toBe(STANDIN);
    expect(s.calls).toEqual(['mongod', 'standin']);
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatch(/embedded mongod .* unavailable; trying offline stand-in/);
    expect((log.info as jest.Mock).mock.calls[0][0]).toMatchObject({ reason: expect.stringContaining('unreachable') });
    expect(log.lines[1]).toMatch(/Using offline stand-in/);
  });

  it("'mongod' tries only the memory server", async () => {
    const s = starters(MONGOD, STANDIN);
    await expect(selectDatabase({ embedded: 'mongod' }, s, recordingLog())).resolves.toBe(MONGOD);
    const failing = starters(new Error('boom'), STANDIN);
    await expect(selectDatabase({ embedded: 'mongod' }, failing, recordingLog())).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    expect(failing.calls).toEqual(['mongod']);
  });

  it("'standin' tries only the stand-in and logs that mongod was skipped", async () => {
    const s = starters(MONGOD, STANDIN);
    const log = recordingLog();
    await expect(selectDatabase({ embedded: 'standin' }, s, log)).resolves.toBe(STANDIN);
    expect(s.calls).toEqual(['standin']);
    expect(log.lines[0]).toMatch(/embedded mongod .* skipped \(embedded=standin\)/);
  });

  it('throws one error listing the three ways out and every attempt', async () => {
    const s = starters(new Error('download site unreachable'), new Error('java not found on PATH'));
    const err = await selectDatabase({ embedded: 'auto' }, s, recordingLog()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    const { message, attempts } = err as DatabaseUnavailableError;
    expect(message).toContain('MONGODB_URI');
    expect(message).toContain('MONGOMS_SYSTEM_BINARY');
    expect(message).toMatch(/download/);
    expect(message).toContain('Java 17');
    expect(message).toContain('Maven');
    expect(message).toContain('tools/mongo-java-server');
    expect(message).toContain('download site unreachable');
    expect(message).toContain('java not found on PATH');
    expect(attempts).toEqual([
      { kind: 'mongod', reason: 'download site unreachable' },
      { kind: 'standin', reason: 'java not found on PATH' },
    ]);
  });

  it('reports a forced-off option as skipped in the combined error', async () => {
    const s = starters(MONGOD, new Error('maven build failed'));
    const err = (await selectDatabase({ embedded: 'standin' }, s, recordingLog()).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('skipped (embedded=standin)');
    expect(err.message).toContain('maven build failed');
  });

  it('flattens and truncates long starter errors (e.g. a Maven output tail)', async () => {
    const long = `line1\n${'x'.repeat(5000)}`;
    const s = starters(new Error(long), new Error('short'));
    const err = (await selectDatabase({ embedded: 'auto' }, s, recordingLog()).catch((e: unknown) => e)) as DatabaseUnavailableError;
    expect(err.attempts[0]?.reason.length).toBeLessThan(700);
    expect(err.attempts[0]?.reason).not.toContain('\n');
  });
});

describe('redactMongoUri', () => {
  it.each([
    ['mongodb://user:pw@h:1/db', 'mongodb://user:***@h:1/db'],
    ['mongodb+srv://user:pw@cluster.x/db?x=1', 'mongodb+srv://user:***@cluster.x/db?x=1'],
    ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017'],
  ])('%s', (input, expected) => {
    expect(redactMongoUri(input)).toBe(expected);
  });
});
