import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mongo } from 'mongoose';
import { testDbName, testMongoUri } from '../../support/test-db';
import { startHarness, TestHarness } from '../../support/tool';
import { addStudents, launchTeacher } from '../attendance/take-helpers';
import { cli, cliInProcess, expectSameAsArchive, removeTempDirs, tempDir, unpack } from './ops-cli';

/**
 * What restore refuses and what it promises, against a MongoDB server (MONGODB_URI): the same
 * data and indexes back exactly, nothing overwritten without --force, nothing written from a
 * damaged archive, and other databases on the server never touched.
 */

// The real commands are ts-node processes of their own (seconds apiece on a loaded machine); the
// first backup and restore run that way, the other cases in this process (cliInProcess).
jest.setTimeout(180_000);

const tmp = tempDir;

let h: TestHarness;
let client: mongo.MongoClient;
let archive: string;
let noData: string;
const created: string[] = [];
const types = { _id: 'all-types', double: new mongo.BSON.Double(1), int: new mongo.BSON.Int32(7), long: mongo.BSON.Long.fromString('9007199254740993'),
  decimal: mongo.BSON.Decimal128.fromString('1.10'), date: new Date('2025-03-30T01:00:00.123Z'), oid: new mongo.BSON.ObjectId('65f0a1b2c3d4e5f601234567'),
  binary: new mongo.BSON.Binary(Buffer.from([0, 1, 2, 255]), 0), uuid: new mongo.BSON.Binary(Buffer.alloc(16, 7), 4), text: 'Ķēniņš "x"\n', nested: { list: [1, 'a', null, true] } };

/** A target database name on the test server, dropped (with its _ltijs twin) after the file. */
function targetName(prefix: string): string {
  const name = testDbName(prefix);
  created.push(name, `${name}_ltijs`);
  return name;
}
const on = (db: string, extra: Record<string, string> = {}) => ({ MONGODB_URI: testMongoUri(), MONGODB_DB: db, LTI_KEY: h.ltiKey, DATA_DIR: noData, ...extra });
const databaseNames = async () => (await client.db().admin().listDatabases()).databases.map((d) => d.name);
const canonical = (doc: unknown) => mongo.BSON.EJSON.stringify(doc, { relaxed: false });

/** The command in this process, for what needs no database (flags, --check). */
const inProcess = (command: 'backup' | 'restore', args: string[]) => cliInProcess(command, args, {});

beforeAll(async () => {
  h = await startHarness();
  client = await mongo.MongoClient.connect(testMongoUri());
  noData = tmp('bk-nodata-');
  const t = await launchTeacher(h, 'guards');
  await addStudents(t.courseId, [{ id: 'g-1', givenName: 'Anna', familyName: 'Bērziņa' }, { id: 'g-2', givenName: 'Zane', familyName: 'Čakste' }]);
  await client.db(h.config.dbName).collection('zz_types').insertOne(types as unknown as mongo.Document);
  archive = path.join(tmp('bk-out-'), 'guards.tar.gz');
  const made = await cli('backup', ['--out', archive], on(h.config.dbName));
  if (made.status !== 0) throw new Error(`backup failed: ${made.out}${made.err}`);
}, 120_000);

afterAll(async () => {
  for (const name of created) await client?.db(name).dropDatabase().catch(() => undefined);
  await h?.close();
  await client?.close();
  removeTempDirs();
});

describe('npm run restore into a MongoDB database', () => {
  it('when the target is empty, then every document (every BSON type) and every index comes back exactly', async () => {
    const target = targetName('rg-exact');
    const res = await cli('restore', [archive], on(target));
    expect(res.err).toBe('');
    expect(res.status).toBe(0);
    const compared = await expectSameAsArchive(client, unpack(archive), { app: target, ltijs: `${target}_ltijs` });
    expect(compared).toBeGreaterThan(10);
    const back = await client.db(target).collection('zz_types').findOne({ _id: 'all-types' as never }, { promoteValues: false, promoteLongs: false, promoteBuffers: false });
    expect(canonical(back)).toBe(canonical(types));
    expect((await client.db(target).collection('members').listIndexes().toArray()).some((i) => i['unique'])).toBe(true);
  });

  it('when the target holds documents, then it is refused without --force, and --force replaces it without touching other databases', async () => {
    const target = targetName('rg-force');
    const neighbour = targetName('rg-keep');
    expect((await cliInProcess('restore', [archive], on(target))).status).toBe(0);
    await client.db(target).collection('members').insertOne({ _id: 'added-later' as never, note: 'not in the backup' });
    await client.db(neighbour).collection('notes').insertOne({ _id: 'keep' as never });

    const refused = await cliInProcess('restore', [archive], on(target));
    expect(refused.status).toBe(3);
    expect(refused.err).toMatch(new RegExp(`The target is not empty: .*${target}\\.members.* Nothing was changed\\.`));
    expect(refused.err).toContain('run again with --force');
    expect(await client.db(target).collection('members').findOne({ _id: 'added-later' as never })).not.toBeNull();

    const forced = await cliInProcess('restore', [archive, '--force'], on(target));
    expect(forced.status).toBe(0);
    expect(forced.out).toContain(`Dropped ${target} and ${target}_ltijs (--force).`);
    expect(await client.db(target).collection('members').findOne({ _id: 'added-later' as never })).toBeNull();
    await expectSameAsArchive(client, unpack(archive), { app: target, ltijs: `${target}_ltijs` });
    expect(await client.db(neighbour).collection('notes').findOne({ _id: 'keep' as never })).not.toBeNull();
    // The source the backup came from is another database on the same server: untouched too.
    expect(await client.db(h.config.dbName).collection('zz_types').countDocuments()).toBe(1);
  });
});

describe('a damaged archive', () => {
  it('when the file is cut short, then restore says so and writes nothing (no database, no DATA_DIR)', async () => {
    const whole = readFileSync(archive);
    const cut = path.join(tmp('bk-bad-'), 'cut.tar.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const target = targetName('rg-cut');
    const res = await cliInProcess('restore', [cut], on(target));
    expect(res.status).toBe(4);
    expect(res.err).toMatch(/cut\.tar\.gz is damaged or incomplete.*\nNothing was restored\./);
    expect(await databaseNames()).not.toContain(target);

    const dataDir = path.join(tmp('bk-fresh-'), 'data');
    const embedded = await cliInProcess('restore', [cut], { DATA_DIR: dataDir, EMBEDDED_DB: 'standin', MONGODB_DB: target, LTI_KEY: h.ltiKey });
    expect(embedded.status).toBe(4);
    expect(existsSync(dataDir)).toBe(false);
    expect((await inProcess('restore', [cut, '--check'])).status).toBe(4);
  });

  it('when one document was edited and the archive packed again with tar, then the checksum names the file and nothing is written', async () => {
    const { dir, files } = unpack(archive);
    const members = path.join(dir, h.config.dbName, 'members.json');
    writeFileSync(members, readFileSync(members, 'utf8').replace('Bērziņa', 'Berzina'));
    const edited = path.join(tmp('bk-bad-'), 'edited.tar.gz');
    execFileSync('tar', ['-czf', edited, '-C', dir, ...files]);
    const target = targetName('rg-edit');
    const res = await cliInProcess('restore', [edited], on(target));
    expect(res.status).toBe(4);
    expect(res.err).toContain(`${h.config.dbName}/members.json does not match its checksum`);
    expect(await databaseNames()).not.toContain(target);
  });

  it('when a file is not a backup at all or does not exist, then it is refused with the reason', async () => {
    const notes = path.join(tmp('bk-bad-'), 'notes.txt');
    writeFileSync(notes, 'shopping list\n'.repeat(100));
    expect(await inProcess('restore', [notes, '--check'])).toMatchObject({ status: 4, err: expect.stringMatching(/notes\.txt is damaged or incomplete: .*not a backup archive/) });
    expect(await inProcess('restore', ['/nonexistent/backup.tar.gz', '--check'])).toMatchObject({ status: 4, err: expect.stringContaining('cannot read /nonexistent/backup.tar.gz: no such file') });
    const ok = await inProcess('restore', [archive, '--check']);
    expect(ok.status).toBe(0);
    expect(ok.out).toMatch(/Archive OK: made .* by lti-attendance .*; \d+ documents in \d+ collections; consistent \(\d identical reads\)\./);
  });
});

describe('the LTI key that must accompany a backup', () => {
  it('when the key here is different or missing, then restore refuses before writing; --skip-key-check restores anyway', async () => {
    const target = targetName('rg-key');
    const wrong = await cliInProcess('restore', [archive], on(target, { LTI_KEY: 'f'.repeat(64) }));
    expect(wrong.status).toBe(3);
    expect(wrong.err).toContain('The LTI key here (LTI_KEY) is not the one the backup was made with.');
    const freshDir = tmp('bk-nokey-');
    const missing = await cliInProcess('restore', [archive], { MONGODB_URI: testMongoUri(), MONGODB_DB: target, DATA_DIR: freshDir });
    expect(missing.status).toBe(3);
    expect(missing.err).toContain(`No LTI key is set here (no LTI_KEY, no ${path.join(freshDir, 'lti-key')})`);
    expect(await databaseNames()).not.toContain(target);

    writeFileSync(path.join(freshDir, 'lti-key'), `${h.ltiKey}\n`, { mode: 0o600 });
    expect((await cliInProcess('restore', [archive], { MONGODB_URI: testMongoUri(), MONGODB_DB: target, DATA_DIR: freshDir })).status).toBe(0);
    const skipped = await cliInProcess('restore', [archive, '--force', '--skip-key-check'], on(target, { LTI_KEY: 'f'.repeat(64) }));
    expect(skipped.status).toBe(0);
    expect(skipped.err).toContain('Warning: The LTI key here (LTI_KEY) is not the one');
  });
});

describe('bad flags and refusals of the commands', () => {
  it('when flags are wrong, then the problem and the usage are printed with exit code 2', async () => {
    const cases: Array<[('backup' | 'restore'), string[], RegExp]> = [
      ['backup', [], /--out FILE is required/],
      ['backup', ['--out', 'x.tar.gz', '--max-passes', '1'], /--max-passes must be a whole number from 2 to 100 \(got "1"\)/],
      ['backup', ['--out', 'x.tar.gz', '--bogus'], /Unknown option '--bogus'/],
      ['backup', ['--out'], /--out/],
      ['restore', [], /Which archive\? Give FILE/],
      ['restore', ['a.tar.gz', 'b.tar.gz'], /Give one archive, not 2/],
      ['restore', [archive, '--check', '--force'], /--check only reads the archive/],
    ];
    for (const [command, args, problem] of cases) {
      const res = await inProcess(command, args);
      expect({ args, status: res.status }).toEqual({ args, status: 2 });
      expect(res.err).toMatch(problem);
      expect(res.err).toContain(`npm run ${command} --`);
    }
  });

  it('when the output file exists or there is nothing to back up, then backup refuses with exit code 3', async () => {
    const before = statSync(archive);
    const exists = await cliInProcess('backup', ['--out', archive], on(h.config.dbName));
    expect(exists.status).toBe(3);
    expect(exists.err).toContain(`${archive} already exists; a backup never overwrites a file.`);
    expect(statSync(archive).mtimeMs).toBe(before.mtimeMs);
    const empty = await cliInProcess('backup', ['--out', path.join(tmp('bk-out-'), 'x.tar.gz')], { DATA_DIR: tmp('bk-empty-'), LTI_KEY: h.ltiKey });
    expect(empty.status).toBe(3);
    expect(empty.err).toMatch(/There is nothing to back up: no embedded database in DATA_DIR/);
  });
});
