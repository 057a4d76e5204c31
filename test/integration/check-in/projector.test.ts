import QRCode from 'qrcode';
import { groupCode } from '../../../src/check-in/projector.presenter';
import { checkInUrl } from '../../../src/check-in/qr-codes';
import { qrToken, slotOf, typedCode } from '../../../src/check-in/rotating-code';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { addGroup, addStudents, launchTeacher, TakeCourse, takeForm, visibleText } from '../attendance/take-helpers';
import { addSession, DURING, getLinkPage, getLinkState, keysOf, LECTURE, mark, metaRefresh, openProjectorLink, settings, teacherProjectorPath } from './projector-helpers';

/**
 * What the projector shows, reached as the lecture hall reaches it: through the projector link
 * the teacher's "Projector" click leads to (no launch, no cookies). The link itself (minting,
 * revoking, isolation) is specified in projector-link.test.ts.
 */

/** The tool's clock; launches happen at real time (id_token lifetimes), pages at the fixed instants. */
let clock = new Date();
let h: TestHarness;
beforeAll(async () => { h = await startHarness({ now: () => clock }); }, 60_000);
afterAll(async () => { await h.close(); });

async function teacher(contextId: string): Promise<TakeCourse> {
  clock = new Date();
  return launchTeacher(h, contextId);
}

/** One link per session is enough here: the teacher clicked "Projector" once. */
const links = new Map<string, string>();
async function linkOf(t: TakeCourse, id: string): Promise<string> {
  const known = links.get(id);
  if (known) return known;
  const saved = clock;
  clock = new Date(); // minted at real time; the link lives until the session's end + a margin
  const path = await openProjectorLink(t, id);
  clock = saved;
  links.set(id, path);
  return path;
}

const getPage = async (t: TakeCourse, id: string) => getLinkPage(h, await linkOf(t, id));
const getState = async (t: TakeCourse, id: string) => getLinkState(h, await linkOf(t, id));
const svgUri = async (url: string) => `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })).toString('base64')}`;

describe('projector with a rotating QR', () => {
  let t: TakeCourse;
  let id: string;
  beforeAll(async () => {
    t = await teacher('pj-rotating');
    await addStudents(t.courseId, [
      { id: 'pj-s1', givenName: 'Anna', familyName: 'One' },
      { id: 'pj-s2', givenName: 'Bruno', familyName: 'Two' },
      { id: 'pj-s3', givenName: 'Cara', familyName: 'Three' },
      { id: 'pj-gone', givenName: 'Dan', familyName: 'Gone', active: false },
      { id: 'pj-ta', givenName: 'Tia', familyName: 'Assistant', role: 'teacher' },
    ]);
    id = await addSession(t, { selfMarking: settings() });
  });

  it("when the hall opens the link during the lecture, then it shows the slot's exact code and QR, the countdown and the counter, reloads itself at the rotation without JavaScript, and holds no ltik", async () => {
    clock = DURING;
    const { secret, publicId } = await keysOf(id);
    const slot = slotOf(DURING.getTime(), 15);
    const link = await linkOf(t, id);
    const page = await getPage(t, id);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const text = visibleText(page.text);
    expect(text).toContain('Mechanics, lecture 3');
    expect(text).toContain('13:00–14:30'); // Riga, summer time
    expect(text).toContain(groupCode(typedCode(secret, id, slot)));
    expect(text).toContain('New code in 12 s');
    expect(text).toContain('0 of 3 checked in');
    expect(page.text).toContain(`src="${await svgUri(checkInUrl(h.tool.url, publicId, qrToken(secret, id, slot)))}"`);
    expect(page.text).toContain('alt="QR code for checking in to this session"');
    expect(page.text).toMatch(/<p class="projector-counter js-counter" aria-live="polite">/);
    expect(page.text).toContain(`data-state-url="${link}/state"`);
    expect(page.text).toContain('<script src="/static/js/projector.js" defer></script>');
    expect(page.text).not.toContain('aria-label="Activity sections"'); // no teacher nav on the wall
    expect(metaRefresh(page.text)).toBe('12');
    // Read-only and launch-free: nothing to submit, nothing that carries or leads to a launch.
    expect(page.text).not.toMatch(/ltik/i);
    expect(page.text).not.toContain(t.ltik);
    expect(page.text).not.toMatch(/<form/i);
    expect(page.text).not.toContain('/activity/');
  });

  it('when the clock moves one slot, then the JSON state (no-store) carries the next code, QR and slot, and no ltik', async () => {
    const { secret, publicId } = await keysOf(id);
    clock = DURING;
    const first = await getState(t, id);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    const slot = slotOf(DURING.getTime(), 15);
    expect(first.body).toMatchObject({ state: 'open', slot, typed: typedCode(secret, id, slot), qrUrl: checkInUrl(h.tool.url, publicId, qrToken(secret, id, slot)), checkedIn: 0, expected: 3 });
    expect(first.body.secondsLeft).toBeCloseTo(11.8, 6);
    expect(first.text).not.toMatch(/ltik/i);

    clock = new Date(DURING.getTime() + 15_000);
    const next = await getState(t, id);
    expect(next.status).toBe(200);
    const nextUrl = checkInUrl(h.tool.url, publicId, qrToken(secret, id, slot + 1));
    expect(next.body).toMatchObject({ state: 'open', slot: slot + 1, typed: typedCode(secret, id, slot + 1), typedDisplay: groupCode(typedCode(secret, id, slot + 1)), qrUrl: nextUrl });
    expect(next.body.qrDataUri).toBe(await svgUri(nextUrl));
    expect(next.body.typed).not.toBe(first.body.typed);
  });

  it('when students check in, then the counter counts the marked students of the audience only', async () => {
    clock = DURING;
    await mark(t, id, ['pj-s1', 'pj-s3', 'pj-gone', 'pj-ta', 'not-a-member'], clock);
    const state = await getState(t, id);
    expect(state.body).toMatchObject({ checkedIn: 2, expected: 3, counterText: '2 of 3 checked in' });
    expect(visibleText((await getPage(t, id)).text)).toContain('2 of 3 checked in');
  });

  it('when a session is for a group, then the audience is its active student members', async () => {
    clock = DURING;
    const group = await addGroup(t.courseId, 'Lab A', ['pj-s1', 'pj-s2', 'pj-gone', 'pj-ta']);
    const groupSession = await addSession(t, { audience: { kind: 'group', groupId: group }, selfMarking: settings() });
    await mark(t, groupSession, ['pj-s2', 'pj-s3'], clock);
    expect((await getState(t, groupSession)).body).toMatchObject({ checkedIn: 1, expected: 2 });
  });

  it('when the teacher marked a closed session by hand, then the counter says how many checked in themselves and how many are marked', async () => {
    clock = DURING;
    const byHand = await addSession(t, { selfMarking: settings() });
    await mark(t, byHand, ['pj-s1'], clock);
    const res = await t.post(byHand, takeForm(['pj-s2', 'pj-s3'].map((userId) => ({ userId, statusId: t.status.A }))));
    expect(res.status).toBe(303);
    expect((await getState(t, byHand)).body).toMatchObject({ checkedIn: 1, expected: 3, counterText: '1 of 3 checked in · 3 marked in all' });
  });

  it("when the sessions list shows a session with self-marking on, then it links to the teacher's projector route in a new tab that sends no referrer", async () => {
    const off = await addSession(t);
    const list = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/sessions`, t.ltik)).query({ view: 'all' });
    const link = withLtik(teacherProjectorPath(t, id), t.ltik).replace(/&/g, '&amp;');
    expect(list.text).toContain(`<a href="${link}" target="_blank" rel="noopener noreferrer">Projector<span class="visually-hidden">`);
    expect(list.text).not.toContain(`/sessions/${off}/projector`);
  });
});

describe('projector states', () => {
  let t: TakeCourse;
  beforeAll(async () => {
    t = await teacher('pj-states');
    await addStudents(t.courseId, [{ id: 'pjs-1', givenName: 'Eva', familyName: 'One' }, { id: 'pjs-2', givenName: 'Finn', familyName: 'Two' }]);
  });

  it.each([
    ['never saved', undefined],
    ['switched off', settings({ enabled: false })],
  ])('when self-marking was %s, then the page says so, without any link into the course', async (_label, selfMarking) => {
    const id = await addSession(t, { selfMarking });
    clock = DURING;
    const page = await getPage(t, id);
    expect(page.status).toBe(200);
    const text = visibleText(page.text);
    expect(text).toContain('Self-marking is off for this session');
    expect(page.text).not.toContain('/self-marking');
    expect(page.text).not.toMatch(/ltik/i);
    expect(page.text).not.toContain('<img class="js-qr"');
    expect(metaRefresh(page.text)).toBeUndefined();
    expect((await getState(t, id)).body).toMatchObject({ state: 'not_set' });
  });

  it('when check-in is not open yet, then the page tells when it opens (activity time), shows no code, and reloads for the opening', async () => {
    const id = await addSession(t, { selfMarking: settings({ opensMinutesBefore: 10 }) });
    clock = new Date(LECTURE.getTime() - 30 * 60_000);
    const page = await getPage(t, id);
    const text = visibleText(page.text);
    expect(text).toContain('Check-in opens at 12:50');
    expect(page.text).not.toContain('<img class="js-qr"');
    expect(page.text).not.toContain('js-code');
    expect(metaRefresh(page.text)).toBe('10');
    const state = await getState(t, id);
    expect(state.body).toMatchObject({ state: 'not_open', opensAt: '2030-05-06T09:50:00.000Z', opensInSeconds: 1200, checkedIn: 0, expected: 2 });
    expect(state.body.typed).toBeUndefined();
    expect(state.body.qrUrl).toBeUndefined();

    clock = new Date(LECTURE.getTime() - 10 * 60_000);
    expect((await getState(t, id)).body.state).toBe('open');
  });

  it('when check-in has closed, then the page says so with the final count and stops reloading', async () => {
    const id = await addSession(t, { selfMarking: settings() });
    await mark(t, id, ['pjs-2'], clock);
    clock = new Date(LECTURE.getTime() + 90 * 60_000);
    const page = await getPage(t, id);
    const text = visibleText(page.text);
    expect(text).toContain('Check-in closed');
    expect(text).toContain('1 of 2 checked in');
    expect(page.text).not.toContain('js-code');
    expect(metaRefresh(page.text)).toBeUndefined();
    expect((await getState(t, id)).body).toMatchObject({ state: 'closed', checkedIn: 1, expected: 2 });
  });

  it('when the QR is off, then the password is shown big with the counter, and the page reloads every 10 s', async () => {
    const id = await addSession(t, { selfMarking: settings({ showQr: false, password: 'KLMNPQ' }) });
    clock = DURING;
    const page = await getPage(t, id);
    const text = visibleText(page.text);
    expect(text).toContain("Type this password in the course's attendance activity");
    expect(page.text).toContain('<p class="projector-code js-code">KLM NPQ</p>');
    expect(page.text).not.toContain('<img class="js-qr"');
    expect(page.text).not.toContain('js-countdown');
    expect(text).toContain('0 of 2 checked in');
    expect(metaRefresh(page.text)).toBe('10');
    const state = await getState(t, id);
    expect(state.body).toMatchObject({ state: 'open', typed: 'KLMNPQ', typedDisplay: 'KLM NPQ' });
    expect(state.body.qrUrl).toBeUndefined();
    expect(state.body.slot).toBeUndefined();
  });

  it('when the QR is on without rotation, then the static QR and the password are shown, with no countdown', async () => {
    const id = await addSession(t, { selfMarking: settings({ rotateSeconds: 0 }) });
    clock = DURING;
    const state = await getState(t, id);
    expect(state.body).toMatchObject({ state: 'open', typed: 'ACDEFG' });
    expect(state.body.qrUrl).toMatch(new RegExp(`^${h.tool.url}/checkin/`));
    expect(state.body.secondsLeft).toBeUndefined();
    const page = await getPage(t, id);
    expect(page.text).toContain('<img class="js-qr"');
    expect(page.text).not.toContain('js-countdown');
    expect(metaRefresh(page.text)).toBe('10');
  });

  it('when the teacher launched in Latvian, then the hall sees the projector in Latvian, whatever its own browser prefers', async () => {
    clock = new Date();
    const lv = await launchTeacher(h, 'pj-states-lv', { locale: 'lv' });
    const id = await addSession(lv, { selfMarking: settings({ showQr: false }) });
    clock = DURING;
    const page = await getLinkPage(h, await linkOf(lv, id)).set('Accept-Language', 'en');
    expect(page.text).toContain('<html lang="lv">');
    expect(visibleText(page.text)).toContain('Ievadiet šo paroli kursa apmeklējuma aktivitātē');
  });
});
