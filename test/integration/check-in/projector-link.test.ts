import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { deleteExpiredProjectorLinks } from '../../../src/check-in/projector-link.service';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import {
  addSession, DURING, getLinkPage, getLinkState, hall, LECTURE, LINK_PATH, openProjectorLink, revokePath, settings, teacherProjectorPath,
} from './projector-helpers';

/**
 * The projector link (issue #12, item 6): the lecture hall's screen gets a random, read-only,
 * revocable link to one session's projector instead of a URL holding the teacher's ltik.
 */

let clock = new Date();
let h: TestHarness;
beforeAll(async () => { h = await startHarness({ now: () => clock }); }, 60_000);
afterAll(async () => { await h.close(); });

/** The link outlives the end of the session's check-in window by this much (projector-link.service.ts). */
const MARGIN_MS = 30 * 60_000;
const GONE_EN = 'This projector link is no longer valid';
const settingsPath = (t: TakeCourse, id: string) => `/activity/${t.activityId}/teacher/sessions/${id}/self-marking`;
const linksOf = (sessionId: string) => mongoose.connection.collection('projector_links').find({ sessionId }).toArray();
const revoke = (t: TakeCourse, id: string) => t.agent.post(revokePath(t, id)).type('form').send({ ltik: t.ltik });

async function teacher(contextId: string, userId?: string): Promise<TakeCourse> {
  clock = new Date();
  return launchTeacher(h, contextId, userId ? { userId } : {});
}

async function studentOf(contextId: string) {
  clock = new Date();
  const s = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: `${contextId}-student`, givenName: 'Sam', familyName: 'Student' } });
  if (!s.ltik) throw new Error('student launch failed');
  return { agent: s.agent, ltik: s.ltik };
}

describe("the teacher's Projector click", () => {
  it('when the teacher clicks Projector, then the tool answers 303 to a fresh /projector/<token> that holds no ltik, and the database keeps no token in the clear', async () => {
    const t = await teacher('pl-mint');
    const id = await addSession(t, { selfMarking: settings() });
    const res = await t.agent.get(withLtik(teacherProjectorPath(t, id), t.ltik));
    expect(res.status).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(LINK_PATH);
    expect(location).not.toMatch(/ltik/i);
    expect(location).not.toContain(t.ltik);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');

    const token = location.split('/').pop() ?? '';
    const stored = await linksOf(id);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);

    clock = DURING;
    expect((await getLinkPage(h, location)).status).toBe(200);
  });

  it('when the teacher clicks twice (two screens), then each click gets its own link and both work', async () => {
    const t = await teacher('pl-twice');
    const id = await addSession(t, { selfMarking: settings() });
    const first = await openProjectorLink(t, id);
    const second = await openProjectorLink(t, id);
    expect(second).not.toBe(first);
    clock = DURING;
    expect((await getLinkState(h, first)).body.state).toBe('open');
    expect((await getLinkState(h, second)).body.state).toBe('open');
  });

  it("when a student's launch asks for a projector link or a revoke, then 403 and nothing is minted or revoked", async () => {
    const t = await teacher('pl-student');
    const id = await addSession(t, { selfMarking: settings() });
    const link = await openProjectorLink(t, id);
    const s = await studentOf('pl-student');
    const minted = await s.agent.get(withLtik(teacherProjectorPath(t, id), s.ltik));
    expect(minted.status).toBe(403);
    expect(minted.headers.location).toBeUndefined();
    expect((await s.agent.post(revokePath(t, id)).type('form').send({ ltik: s.ltik })).status).toBe(403);
    expect(await linksOf(id)).toHaveLength(1);
    clock = DURING;
    expect((await getLinkPage(h, link)).status).toBe(200);
  });
});

describe('what a projector link opens', () => {
  it('when the link of session A is used, then it shows session A only, whatever is added to the address', async () => {
    const t = await teacher('pl-one-session');
    const a = await addSession(t, { description: 'Session Alpha', selfMarking: settings({ showQr: false, password: 'ALPHAA' }) });
    const b = await addSession(t, { description: 'Session Bravo', selfMarking: settings({ showQr: false, password: 'BRAVOO' }) });
    const link = await openProjectorLink(t, a);
    clock = DURING;
    const page = visibleText((await getLinkPage(h, link)).text);
    expect(page).toContain('Session Alpha');
    expect(page).not.toContain('Session Bravo');
    expect(page).not.toContain('BRA VOO');
    const state = await hall(h).get(`${link}/state`).query({ sessionId: b, session: b }).set('Accept', 'application/json');
    expect(state.body).toMatchObject({ typed: 'ALPHAA' });
    expect(state.text).not.toContain('BRAVOO');
    const deeper = await hall(h).get(`${link}/${b}`);
    expect(deeper.status).toBeGreaterThanOrEqual(400); // no such route: it falls to the launch check
    expect(deeper.text).not.toContain('Bravo');
  });

  it('when the hall tries to write with the link, then nothing accepts it', async () => {
    const t = await teacher('pl-read-only');
    const id = await addSession(t, { selfMarking: settings() });
    const link = await openProjectorLink(t, id);
    clock = DURING;
    for (const path of [link, `${link}/state`]) {
      const res = await hall(h).post(path).type('form').send({ code: 'ACDEFG' });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('when a link is unknown or malformed, then the same friendly, translated 404 page (no-store, no hints) and a JSON 404 for the state', async () => {
    const unknown = `/projector/${randomBytes(32).toString('base64url')}`;
    const page = await hall(h).get(unknown);
    expect(page.status).toBe(404);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(visibleText(page.text)).toContain(GONE_EN);
    expect(visibleText(page.text)).not.toContain('Reference');
    const malformed = await hall(h).get('/projector/abc');
    expect(malformed.status).toBe(404);
    expect(malformed.text).toBe(page.text);
    const latvian = await hall(h).get(unknown).set('Accept-Language', 'lv');
    expect(latvian.text).toContain('<html lang="lv">');
    expect(visibleText(latvian.text)).not.toContain(GONE_EN);

    const state = await getLinkState(h, unknown);
    expect(state.status).toBe(404);
    expect(state.headers['cache-control']).toBe('no-store');
    expect(state.body.error).toMatchObject({ code: 'projector_link_invalid' });
    expect(state.body.state).toBeUndefined();
  });

  it("when the session's check-in has been closed for longer than the margin, then its link is no longer valid", async () => {
    const t = await teacher('pl-expiry');
    const id = await addSession(t, { selfMarking: settings() });
    const link = await openProjectorLink(t, id);
    const closes = LECTURE.getTime() + 90 * 60_000;
    clock = new Date(closes + MARGIN_MS - 60_000);
    expect((await getLinkState(h, link)).body.state).toBe('closed');
    clock = new Date(closes + MARGIN_MS + 60_000);
    expect((await getLinkPage(h, link)).status).toBe(404);
    expect((await getLinkState(h, link)).status).toBe(404);
    // The cleanup job (no TTL index on the stand-in) then reclaims it.
    expect(await deleteExpiredProjectorLinks(clock)).toBeGreaterThanOrEqual(1);
    expect(await linksOf(id)).toHaveLength(0);
  });

  it('when the projector is opened after the session ended, then the link still shows the final count for the margin', async () => {
    const t = await teacher('pl-late');
    const id = await addSession(t, { startsAt: new Date(Date.now() - 3 * 3600_000), selfMarking: settings() });
    const link = await openProjectorLink(t, id);
    const minted = Date.now();
    clock = new Date(minted + MARGIN_MS - 60_000);
    expect((await getLinkState(h, link)).body.state).toBe('closed');
    clock = new Date(minted + MARGIN_MS + 60_000);
    expect((await getLinkState(h, link)).status).toBe(404);
  });
});

describe('revoking the projector link', () => {
  it('when self-marking is on, then the settings page offers the revoke button and says in one line what the projector shows', async () => {
    const t = await teacher('pl-settings');
    const on = await addSession(t, { selfMarking: settings() });
    const page = await t.agent.get(withLtik(settingsPath(t, on), t.ltik));
    expect(page.text).toMatch(new RegExp(`<form method="post" action="${revokePath(t, on)}"[^>]*>\\s*<input type="hidden" name="ltik" value="${t.ltik}">`));
    expect(visibleText(page.text)).toContain('Revoke projector link');
    expect(visibleText(page.text)).toContain('The projector page shows only the check-in codes and the count');
    const off = await addSession(t);
    expect((await t.agent.get(withLtik(settingsPath(t, off), t.ltik))).text).not.toContain('/projector/revoke');
  });

  it('when the teacher revokes, then every open link of the session answers 404 (page and state), the settings page confirms, and the next click mints a new working link', async () => {
    const t = await teacher('pl-revoke');
    const id = await addSession(t, { selfMarking: settings() });
    const other = await addSession(t, { selfMarking: settings() });
    const [first, second, otherLink] = [await openProjectorLink(t, id), await openProjectorLink(t, id), await openProjectorLink(t, other)];

    const res = await revoke(t, id);
    expect(res.status).toBe(303);
    const back = String(res.headers.location);
    expect(back).toContain(settingsPath(t, id));
    expect(visibleText((await t.agent.get(back)).text)).toContain('Projector link revoked');

    clock = DURING;
    for (const link of [first, second]) {
      expect((await getLinkPage(h, link)).status).toBe(404);
      expect((await getLinkState(h, link)).status).toBe(404);
    }
    expect((await getLinkState(h, otherLink)).body.state).toBe('open'); // only this session's links

    clock = new Date();
    const fresh = await openProjectorLink(t, id);
    expect([first, second]).not.toContain(fresh);
    clock = DURING;
    expect((await getLinkState(h, fresh)).body.state).toBe('open');
  });

  it("when a teacher of another course asks for or revokes this course's projector, then 404 and the link keeps working", async () => {
    const a = await teacher('pl-iso-a');
    const id = await addSession(a, { selfMarking: settings() });
    const link = await openProjectorLink(a, id);
    const b = await teacher('pl-iso-b', 'teacher-pl-iso-a');
    const bSession = await addSession(b, { description: 'Other course', selfMarking: settings() });

    expect((await b.agent.get(withLtik(teacherProjectorPath(b, id), b.ltik))).status).toBe(404);
    expect((await b.agent.get(withLtik(teacherProjectorPath(a, id), b.ltik))).status).toBe(403);
    expect((await revoke(b, id)).status).toBe(404);
    expect(await linksOf(id)).toHaveLength(1);

    const bLink = await openProjectorLink(b, bSession);
    clock = DURING;
    expect((await getLinkPage(h, link)).status).toBe(200);
    const bPage = visibleText((await getLinkPage(h, bLink)).text);
    expect(bPage).toContain('Other course');
    expect(bPage).not.toContain('Mechanics, lecture 3');
  });
});
