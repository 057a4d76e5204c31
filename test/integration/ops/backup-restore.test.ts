import { existsSync } from 'node:fs';
import path from 'node:path';
import { mongo } from 'mongoose';
import { readLiveRuntimeFile } from '../../../src/db/runtime-file';
import { testDbName, testMongoUri } from '../../support/test-db';
import { startHarness, TestHarness } from '../../support/tool';
import { addStudents, launchTeacher, TakeCourse } from '../attendance/take-helpers';
import { addSessionAt, buildCourse, downloadCsv, remarksAfter, reportTables, startWriter, STUDENTS } from './course-data';
import { cli, cliInProcess, removeTempDirs, startMain, stopMain, tempDir, unpack } from './ops-cli';

/**
 * Backups of a running tool (issue #13, item 6): backup while the tool works → restore into a fresh
 * DATA_DIR with the embedded stand-in → the tool starts there with the same LTI key, the same LMS
 * launches work without registering again, and the report is the same, byte for byte.
 */

// Each command is a ts-node process of its own (seconds apiece on a loaded machine).
jest.setTimeout(180_000);

const tmp = tempDir;

let h: TestHarness;
let toolAOpen = true;
let client: mongo.MongoClient;
let course: TakeCourse;
let lecture: string;
let busy: TakeCourse;
let busySession: string;
let archive: string;
let backupRun: { status: number | null; out: string; err: string };
/** Saves answered when the backup began reading, and when it had finished its second read. */
let writesAtStart = -1;
let writesAtPass2 = -1;
let csvBefore: Buffer;
let tablesBefore: string[];
const cleanup: Array<() => Promise<unknown>> = [];
const source = () => ({ MONGODB_URI: testMongoUri(), MONGODB_DB: h.config.dbName, LTI_KEY: h.ltiKey, DATA_DIR: tmp('bk-nodata-') });

beforeAll(async () => {
  h = await startHarness();
  client = await mongo.MongoClient.connect(testMongoUri());
  ({ course, lecture } = await buildCourse(h, 'bk-a'));
  busy = await launchTeacher(h, 'bk-b');
  await addStudents(busy.courseId, STUDENTS);
  busySession = await addSessionAt(busy, new Date(Date.now() - 86_400_000), 'Busy');
  // Read between the audit trail and the records (unnamed collections are read in name order), it
  // makes a pass slow there, so saves land between the reading of the two: a single pass would
  // keep records that are ahead of their audit entries.
  const filler = client.db(h.config.dbName).collection('attendance_bulk_filler');
  for (let batch = 0; batch < 10; batch++) {
    await filler.insertMany(Array.from({ length: 500 }, (_, i) => ({ n: batch * 500 + i, text: 'x'.repeat(2000) })));
  }

  // Saves keep landing while the backup reads; they stop once it has finished its second read.
  archive = path.join(tmp('bk-out-'), 'attendance.tar.gz');
  let writing = true;
  const writer = startWriter(busy, busySession, () => writing);
  await writer.started(2);
  backupRun = await cli('backup', ['--out', archive], source(), (line) => {
    if (line.startsWith('Backing up')) writesAtStart = writer.count();
    if (line.startsWith('Pass 2:')) {
      writesAtPass2 = writer.count();
      writing = false;
    }
  });
  writing = false;
  await writer.done;
  csvBefore = await downloadCsv(course.agent, course.activityId, course.ltik);
  tablesBefore = await reportTables(course.agent, course.activityId, course.ltik);
}, 180_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  if (toolAOpen) await h?.close();
  else {
    await h?.lms.stop();
    for (const name of [h.config.dbName, `${h.config.dbName}_ltijs`]) await client?.db(name).dropDatabase().catch(() => undefined);
  }
  await client?.close();
  removeTempDirs();
});

describe('npm run backup while the tool runs', () => {
  it('when saves land during the backup, then it reads again until two reads agree and says the archive is consistent', () => {
    expect(backupRun.err).toBe('');
    expect(backupRun.status).toBe(0);
    expect(writesAtStart).toBeGreaterThanOrEqual(2);
    expect(writesAtPass2).toBeGreaterThan(writesAtStart); // saves were answered while the backup read
    expect(backupRun.out).toMatch(/^Backing up .* from MongoDB at .*\(MONGODB_URI\)$/m);
    expect(backupRun.out).toMatch(/identical to pass \d+: consistent/);
    expect(backupRun.out).toMatch(/^Backup written: .*attendance\.tar\.gz \(\d+ documents in \d+ collections, .*sha256 [0-9a-f]{64}\)$/m);
    const { manifest, files } = unpack(archive);
    expect(manifest).toMatchObject({ format: 'lti-attendance-backup', formatVersion: 1, tool: { name: 'lti-attendance' }, consistency: { stable: true }, source: { kind: 'external' } });
    expect(manifest.databases.map((d) => [d.role, d.name])).toEqual([['app', h.config.dbName], ['ltijs', `${h.config.dbName}_ltijs`]]);
    const app = manifest.databases[0]?.collections.map((c) => c.name) ?? [];
    expect(app).toEqual(expect.arrayContaining(['attendance_records', 'attendance_audit', 'attendance_sessions', 'status_sets', 'members', 'courses', 'activities']));
    expect(manifest.databases[1]?.collections.map((c) => c.name)).toEqual(expect.arrayContaining(['platforms', 'publickeys', 'privatekeys']));
    expect(files).toContain(`${h.config.dbName}/attendance_records.json`);
    expect(files).toContain(`${h.config.dbName}/attendance_records.indexes.json`);
  });
});

describe('npm run restore into a fresh DATA_DIR (embedded stand-in)', () => {
  it('when the tool starts on the restored data with the same LTI key, then launches work without registering again and the report is identical', async () => {
    const dataDir = tmp('bk-datadir-');
    const target = testDbName('restored');
    const restored = await cli('restore', [archive], { DATA_DIR: dataDir, EMBEDDED_DB: 'standin', MONGODB_DB: target, LTI_KEY: h.ltiKey });
    expect(restored.err).toBe('');
    expect(restored.status).toBe(0);
    expect(restored.out).toMatch(/Archive OK: .*consistent/);
    expect(restored.out).toMatch(/Restored \d+ documents in \d+ collections, and \d+ indexes\./);
    expect(existsSync(path.join(dataDir, 'standin'))).toBe(true);

    // The tool A stops; the restored tool starts as `npm start` does (src/main.ts: the stand-in on DATA_DIR), on the same address.
    const url = h.tool.url;
    await h.tool.close();
    toolAOpen = false;
    const toolB = await startMain(dataDir, target, url, h.ltiKey);
    cleanup.push(() => stopMain(toolB));
    const live = await readLiveRuntimeFile(dataDir);
    expect(live).toMatchObject({ kind: 'standin', pid: toolB.pid });
    const restoredClient = await mongo.MongoClient.connect(live?.uri ?? '');
    cleanup.push(() => restoredClient.close());
    const restoredDb = restoredClient.db(target);

    // The page opened before the backup still works (its launch is in the restored ltijs data)…
    expect((await course.get(lecture)).status).toBe(200);
    // …and a new launch from the LMS, which was never registered again.
    const again = await launchTeacher(h, 'bk-a', { title: 'Fizika' });
    expect(again.activityId).toBe(course.activityId);
    expect((await downloadCsv(again.agent, again.activityId, again.ltik)).equals(csvBefore)).toBe(true);
    expect(await reportTables(again.agent, again.activityId, again.ltik)).toEqual(tablesBefore);
    const student = await h.lms.launch({ role: 'Learner', context: { id: 'bk-a' }, resourceLink: { id: 'rl1' }, user: { id: 'bk-s2', givenName: 'Līga', familyName: 'Ozola' } });
    expect(student.status).toBe(200);

    // The saves made during the backup: the archive holds the data of one moment, never half of one.
    const records = await restoredDb.collection('attendance_records').find({ sessionId: busySession }).toArray();
    const remarks = Object.fromEntries(records.map((r) => [r['userId'], r['remark']]));
    const last = Math.max(...records.map((r) => Number(/^w(\d+)$/.exec(String(r['remark']))?.[1] ?? -1)));
    expect(last).toBeGreaterThanOrEqual(writesAtStart - 1); // every save answered before the backup began is in it
    expect(remarks).toEqual(Object.fromEntries(Object.entries(remarksAfter(last + 1)).filter(([, v]) => v !== undefined)));
    // Records are written before their audit entries: at any moment the audit trail has every save but possibly the one in flight.
    const audit = await restoredDb.collection('attendance_audit').countDocuments({ sessionId: busySession });
    expect([last, last + 1]).toContain(audit);

    // A backup of this running tool goes through its embedded server (the runtime file); restore refuses to write under it.
    const running = path.join(tmp('bk-out-'), 'running.tar.gz');
    const liveBackup = await cliInProcess('backup', ['--out', running], { DATA_DIR: dataDir, MONGODB_DB: target, LTI_KEY: h.ltiKey });
    expect(liveBackup.status).toBe(0);
    expect(liveBackup.out).toContain(`the embedded database of the tool running on ${dataDir} (pid ${toolB.pid})`);
    const refused = await cliInProcess('restore', [archive, '--force'], { DATA_DIR: dataDir, MONGODB_DB: target, LTI_KEY: h.ltiKey });
    expect(refused.status).toBe(3);
    expect(refused.err).toMatch(/The tool is running on DATA_DIR .* Stop it first/);

    // With the tool stopped, backup starts the embedded server on the data itself, and reads the same data.
    await restoredClient.close();
    await stopMain(toolB);
    const stopped = path.join(tmp('bk-out-'), 'stopped.tar.gz');
    const offline = await cliInProcess('backup', ['--out', stopped], { DATA_DIR: dataDir, EMBEDDED_DB: 'standin', MONGODB_DB: target, LTI_KEY: h.ltiKey });
    expect(offline.status).toBe(0);
    expect(offline.out).toContain('started for this backup (the tool is not running)');
    const files = (file: string) => unpack(file).manifest.databases.map((d) => d.collections.map((c) => `${d.role}/${c.name}: ${c.documents} ${c.data.sha256}`));
    expect(files(stopped)).toEqual(files(running));
  }, 240_000);
});
