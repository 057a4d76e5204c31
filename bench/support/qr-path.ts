/**
 * The QR path (flow 2) as a paired phone takes it, see src/check-in/qr-check-in.routes.ts:
 *   GET /checkin/<publicId>?code=<the projector's rotating code>, with the phone's signed
 *   la_device cookie → the scan is held and, the device being paired, recorded at once → 303 to
 *   /checkin/<publicId>/done → the phone's browser follows it (200, "Thank you").
 * The code is computed as the projector and the tests compute it (rotating-code.ts: qrToken of
 * the session's secret and the current 15 s slot), at the moment each phone sends its scan.
 *
 * Pairing (set-up, not measured) is what a student does once per course with an unpaired phone:
 * scan (the phone gets its la_device cookie and a held scan) → in the LMS, the student home's
 * "Complete check-in" link carries a signed ticket → the phone opens it (the held scan becomes a
 * record) → the confirmation page offers "Remember this phone" → POST /checkin/pair.
 */
import { qrToken, slotOf } from '../../src/check-in/rotating-code';
import { unescapeHtml } from '../../src/demo/lms-simulator/util';
import { withLtik } from '../../src/shared/links';
import { Course, openSession, OpenedSession, QR_ROTATE_SECONDS, verify, Verification } from './bench-course';
import { CookieJar } from './cookie-jar';
import type { HttpClient, Reply } from './http-load';
import type { StudentCredentials } from './lean-launch';
import { errorLines, measure, Measured, Meter, row } from './measure';

export interface Phone { student: StudentCredentials; jar: CookieJar }

type Qr = Required<OpenedSession>['qr'];
const codeNow = (s: OpenedSession): string => {
  const qr = s.qr as Qr;
  return qrToken(qr.secret, s.id, slotOf(Date.now(), QR_ROTATE_SECONDS));
};
const scanUrl = (s: OpenedSession) => `/checkin/${(s.qr as Qr).publicId}?code=${encodeURIComponent(codeNow(s))}`;
const fail = (step: string, r: Reply): Reply => ({ ...r, status: r.status === 200 || r.status === 303 ? 0 : r.status, body: `${step}: ${r.location ?? ''} ${r.body.slice(0, 300)}` });

/** A phone's request: its cookies go along and come back into its jar. */
async function phoneGet(client: HttpClient, phone: Phone, target: string, bodyLimit?: number): Promise<Reply> {
  const r = await client.request('GET', target, { cookie: phone.jar.header(target) }, undefined, bodyLimit);
  phone.jar.take(r.setCookie);
  return r;
}

/** One student's pairing, step by step as above; a Reply with status 303 when the phone is paired. */
async function pairOne(client: HttpClient, course: Course, s: OpenedSession, phone: Phone): Promise<Reply> {
  const publicId = (s.qr as Qr).publicId;
  const scanned = await phoneGet(client, phone, scanUrl(s));
  if (scanned.status !== 303 || !phone.jar.has('la_device')) return fail('first scan', scanned);
  const c = phone.student;
  const home = await client.request('GET', withLtik(`/activity/${course.activityId}/student`, c.ltik), { cookie: c.cookie }, undefined, 1_000_000);
  const link = /href="([^"]*\/checkin\/complete\?t=[^"]+)"/.exec(home.body)?.[1];
  if (home.status !== 200 || !link) return fail('student home (complete link)', home);
  const completeUrl = new URL(unescapeHtml(link));
  const completed = await phoneGet(client, phone, completeUrl.pathname + completeUrl.search);
  if (completed.status !== 303 || !completed.location?.startsWith(`/checkin/${publicId}/done`)) return fail('complete', completed);
  const done = await phoneGet(client, phone, completed.location, 200_000);
  const ticket = /name="t" value="([^"]+)"/.exec(done.body)?.[1];
  if (done.status !== 200 || !ticket) return fail('done page (pair form)', done);
  const body = new URLSearchParams({ publicId, t: unescapeHtml(ticket) }).toString();
  const paired = await client.request('POST', '/checkin/pair', { 'content-type': 'application/x-www-form-urlencoded', cookie: phone.jar.header('/checkin/pair') }, body);
  phone.jar.take(paired.setCookie);
  return paired.status === 303 && (paired.location ?? '').includes('paired=paired') ? paired : fail('pair', paired);
}

export interface QrContext { meter: Meter; client: HttpClient; course: Course; students: readonly StudentCredentials[]; inFlight: number }

/** Pairs one phone per student (one record each in a set-up session, verified). */
export async function pairPhones(ctx: QrContext): Promise<{ phones: Phone[]; measured: Measured; check: Verification }> {
  const s = await openSession(ctx.client, ctx.course, 'qr', 'Pairing');
  const phones = ctx.students.map((student) => ({ student, jar: new CookieJar() }));
  const measured = await measure(ctx.meter, phones, ctx.inFlight, (p) => pairOne(ctx.client, ctx.course, s, p), (r) => r.status === 303);
  const check = await verify(s.id, ctx.students, { withDevice: true });
  return { phones, measured, check };
}

/** Rounds of every paired phone scanning a fresh session's QR, `inFlight` at once. */
export async function qrRounds(ctx: QrContext, phones: readonly Phone[], rounds: number): Promise<Array<{ measured: Measured; check: Verification }>> {
  const out: Array<{ measured: Measured; check: Verification }> = [];
  for (let r = 1; r <= rounds; r++) {
    const s = await openSession(ctx.client, ctx.course, 'qr', `QR ${r}`);
    const publicId = (s.qr as Qr).publicId;
    const scan = async (p: Phone): Promise<Reply> => {
      const scanned = await phoneGet(ctx.client, p, scanUrl(s));
      if (scanned.status !== 303 || scanned.location !== `/checkin/${publicId}/done?`) return fail('scan', scanned);
      const done = await phoneGet(ctx.client, p, scanned.location);
      return done.status === 200 ? { ...done, ms: scanned.ms + done.ms } : fail('done page', done);
    };
    const measured = await measure(ctx.meter, phones, ctx.inFlight, scan, (reply) => reply.status === 200);
    const check = await verify(s.id, ctx.students, { withDevice: true });
    console.log(row(String(r), 'QR scan + done', measured));
    console.log(`      | ${check.text}  ${check.ok ? 'OK' : 'WRONG'}`);
    for (const line of errorLines(measured.errors)) console.log(line);
    out.push({ measured, check });
  }
  return out;
}
