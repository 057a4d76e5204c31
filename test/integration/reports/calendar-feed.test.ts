import { createHash, randomBytes, randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { GroupModel } from '../../../src/groups/group.model';
import { CalendarFeedTokenModel } from '../../../src/reports/calendar-feed.model';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { visibleText } from '../attendance/take-helpers';
import { formBody } from '../sessions/helpers';

/** The tool's clock: Wednesday 10 March 2027, 12:00 UTC; Riga moves to summer time on Sunday 28 March. */
const NOW = new Date('2027-03-10T12:00:00Z');
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ now: () => NOW });
});
afterAll(async () => {
  await h?.close();
});

interface Launch { agent: supertest.Agent; ltik: string; courseId: string; activityId: string; res: supertest.Response }

async function launch(ctx: string, userId: string, role: 'Learner' | 'Instructor', title = 'Lectures, spring; 2027'): Promise<Launch> {
  const r = await h.lms.launch({ role, context: { id: ctx }, resourceLink: { id: 'rl1', title }, user: { id: userId, givenName: userId, familyName: 'Test' } });
  if (!r.ltik) throw new Error(`launch failed: ${r.status}`);
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, ctx, 'rl1');
  return { agent: r.agent, ltik: r.ltik, courseId, activityId: activityKey(courseId, 'rl1'), res: r.res };
}

const home = (s: Launch) => s.agent.get(withLtik(`/activity/${s.activityId}/student`, s.ltik));
const calendarAction = (s: Launch, action: string) => s.agent.post(`/activity/${s.activityId}/student/calendar`).type('form').send({ ltik: s.ltik, action });

/** Creates (or renews) the link from the page and returns the feed URL the page then shows. */
async function linkAfter(s: Launch, action: 'create' | 'renew'): Promise<string> {
  const res = await calendarAction(s, action);
  expect(res.status).toBe(303);
  expect(res.headers.location).toContain(`calendar=${action === 'create' ? 'created' : 'renewed'}`);
  const page = await s.agent.get(String(res.headers.location));
  const url = /id="calendar-url"[^>]*value="([^"]+)"/.exec(page.text)?.[1];
  if (!url) throw new Error('no calendar URL on the page');
  return url;
}

const pathOf = (url: string) => new URL(url).pathname;
const fetchFeed = (url: string) => supertest(h.tool.url).get(pathOf(url));

interface Ical { props: Map<string, string>; events: Array<Map<string, string>> }

/** A tiny RFC 5545 reader: unfold, split CRLF lines, collect properties of VCALENDAR and each VEVENT. */
function parseIcal(text: string): Ical {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
  const cal: Ical = { props: new Map(), events: [] };
  let current: Map<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = new Map();
    else if (line === 'END:VEVENT') { if (current) cal.events.push(current); current = undefined; }
    else {
      const colon = line.indexOf(':');
      (current ?? cal.props).set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return cal;
}

let teacher: Launch;
let anna: Launch;
const ids: Record<string, string> = {};

async function addSession(key: string, l: Launch, startsAt: string, description: string, audience: { kind: 'all' | 'group'; groupId?: string } = { kind: 'all' }) {
  ids[key] = randomUUID();
  await AttendanceSessionModel.create({
    _id: ids[key], courseId: l.courseId, activityId: l.activityId, startsAt: new Date(startsAt), durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience, statusSetId: `${l.activityId}-default`, createdBy: 'teacher',
  });
}

beforeAll(async () => {
  teacher = await launch('cal-a', 'cal-teacher', 'Instructor');
  anna = await launch('cal-a', 'cal-anna', 'Learner');
  // A weekly 10:00 class on Mondays, planned by the teacher on the series page, across the DST change.
  const series = await teacher.agent.post(`/activity/${teacher.activityId}/teacher/sessions/series`).type('form').send(formBody({
    ltik: teacher.ltik, startDate: '2027-03-15', endDate: '2027-04-05', weekdays: '1', everyWeeks: '1', startTime: '10:00', durationMinutes: '90',
    description: 'Weekly lecture', audience: 'all', statusSetId: `${teacher.activityId}-default`, confirm: '1', expected: '4',
  }));
  expect(series.status).toBe(303);
  const labA = await GroupModel.create({ _id: randomUUID(), courseId: anna.courseId, name: 'Lab A', nameKey: 'lab a', memberIds: ['cal-anna'] });
  const labB = await GroupModel.create({ _id: randomUUID(), courseId: anna.courseId, name: 'Lab B', nameKey: 'lab b', memberIds: ['cal-boris'] });
  await addSession('ownLab', anna, '2027-03-17T12:00:00Z', 'Lab, with "tools"', { kind: 'group', groupId: labA._id });
  await addSession('otherLab', anna, '2027-03-18T12:00:00Z', 'Other lab', { kind: 'group', groupId: labB._id });
  await addSession('recent', anna, '2027-03-01T08:00:00Z', 'Nine days ago');
  await addSession('old', anna, '2027-01-25T08:00:00Z', 'Six weeks ago');
});

describe('the calendar card and feed', () => {
  it('when a student creates the link, then the page shows a private URL whose feed holds their sessions at the right UTC instants across the DST change', async () => {
    const before = await home(anna);
    expect(visibleText(before.text)).toContain('Add upcoming sessions to your calendar');
    expect(visibleText(before.text)).toContain('Anyone who has this link can see your session times');
    expect(before.text).toContain('value="create"');
    expect(before.text).not.toContain('/calendar/');

    const url = await linkAfter(anna, 'create');
    expect(url).toMatch(new RegExp(`^${h.tool.url}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
    const token = /\/calendar\/([^.]+)\.ics$/.exec(url)?.[1] ?? '';
    // Only its hash is findable; the token itself is not stored in the clear.
    const doc = await CalendarFeedTokenModel.findOne({ courseId: anna.courseId, activityId: anna.activityId, userId: 'cal-anna' }).lean();
    expect(doc?.tokenHash).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(JSON.stringify(doc)).not.toContain(token);

    const feed = await fetchFeed(url);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(feed.headers['cache-control']).toMatch(/private/);
    expect(feed.headers['cache-control']).toMatch(/no-store/);
    expect(feed.text.endsWith('\r\n')).toBe(true);
    for (const line of feed.text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

    const cal = parseIcal(feed.text);
    expect(cal.props.get('VERSION')).toBe('2.0');
    expect(cal.props.get('METHOD')).toBe('PUBLISH');
    expect(cal.props.get('CALSCALE')).toBe('GREGORIAN');
    expect(cal.props.get('PRODID')).toBeTruthy();
    expect(cal.props.get('X-WR-CALNAME')).toBe('Lectures\\, spring\\; 2027');
    expect(cal.props.get('X-WR-TIMEZONE')).toBe('Europe/Riga');
    const starts = cal.events.map((e) => e.get('DTSTART'));
    // 10:00 in Riga is 08:00Z in winter (EET) and 07:00Z from 28 March (EEST).
    expect(starts).toEqual(['20270301T080000Z', '20270315T080000Z', '20270317T120000Z', '20270322T080000Z', '20270329T070000Z', '20270405T070000Z']);
    const weekly = cal.events.filter((e) => e.get('SUMMARY') === 'Lectures\\, spring\\; 2027 – Weekly lecture');
    expect(weekly.map((e) => e.get('DTEND'))).toEqual(['20270315T093000Z', '20270322T093000Z', '20270329T083000Z', '20270405T083000Z']);
    expect(weekly[0]?.get('DESCRIPTION')).toBe('For all students');
    const lab = cal.events.find((e) => e.get('DTSTART') === '20270317T120000Z');
    expect(lab?.get('SUMMARY')).toBe('Lectures\\, spring\\; 2027 – Lab\\, with "tools"');
    expect(lab?.get('DESCRIPTION')).toBe('Group: Lab A');
    expect(lab?.get('UID')).toBe(`${ids.ownLab}@${new URL(h.tool.url).host}`);
    expect(cal.events.every((e) => e.get('DTSTAMP') === '20270310T120000Z')).toBe(true);
    expect(feed.text).not.toContain('Other lab');
    expect(feed.text).not.toContain('Six weeks ago');

    const used = await CalendarFeedTokenModel.findOne({ userId: 'cal-anna' }).lean();
    expect(used?.lastUsedAt?.toISOString()).toBe(NOW.toISOString());
    expect(visibleText((await home(anna)).text)).toContain('last fetched by a calendar app 10 Mar 2027, 14:00');
  });

  it('when the student comes back or clicks create again, then the same link is shown again, with a copy button', async () => {
    const url = await linkAfter(anna, 'create');
    expect(await linkAfter(anna, 'create')).toBe(url);
    const page = await home(anna);
    expect(page.text).toContain(`value="${url}"`);
    expect(page.text).toContain('data-copy-target="calendar-url"');
    expect(page.text).toContain('/static/js/copy.js');
  });

  it('when the stored link can no longer be decrypted (signing key changed), then the page says so and the link still works', async () => {
    const url = await linkAfter(anna, 'create');
    await CalendarFeedTokenModel.updateOne({ courseId: anna.courseId, userId: 'cal-anna' }, { $set: { tokenSealed: 'v1.AAAA.AAAA.AAAA' } });
    const page = await home(anna);
    expect(page.text).not.toContain('id="calendar-url"');
    expect(visibleText(page.text)).toContain('This link can no longer be shown here, but it still works.');
    expect((await fetchFeed(url)).status).toBe(200);
  });

  it('when the link is renewed, then the old one is refused and the new one works; when turned off, it is refused', async () => {
    const old = await linkAfter(anna, 'renew');
    const renewed = await linkAfter(anna, 'renew');
    expect(renewed).not.toBe(old);
    const refused = await fetchFeed(old);
    expect(refused.status).toBe(404);
    expect(refused.headers['content-type']).toMatch(/^text\/plain/);
    expect(refused.text).toBe('Not found');
    expect((await fetchFeed(renewed)).status).toBe(200);
    expect(await CalendarFeedTokenModel.countDocuments({ userId: 'cal-anna' })).toBe(1);

    const off = await calendarAction(anna, 'revoke');
    expect(off.status).toBe(303);
    const page = await anna.agent.get(String(off.headers.location));
    expect(visibleText(page.text)).toContain('Your calendar link is turned off.');
    expect(page.text).toContain('value="create"');
    expect((await fetchFeed(renewed)).status).toBe(404);
    expect(await CalendarFeedTokenModel.countDocuments({ userId: 'cal-anna' })).toBe(0);
  });

  it('when the token is unknown or malformed, then the answer is a bare 404', async () => {
    for (const path of [`/calendar/${randomBytes(32).toString('base64url')}.ics`, '/calendar/abc.ics', `/calendar/${randomBytes(32).toString('base64url')}`, '/calendar/..%2F.ics']) {
      const res = await supertest(h.tool.url).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('when the student is no longer active in the course, then the feed is an empty calendar, not an error', async () => {
    const boris = await launch('cal-a', 'cal-boris', 'Learner');
    const url = await linkAfter(boris, 'create');
    expect(parseIcal((await fetchFeed(url)).text).events.map((e) => e.get('DESCRIPTION'))).toContain('Group: Lab B');
    await MemberModel.updateOne({ courseId: boris.courseId, userId: 'cal-boris' }, { $set: { active: false } });
    const feed = await fetchFeed(url);
    expect(feed.status).toBe(200);
    expect(feed.text).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*END:VCALENDAR\r\n$/);
    expect(parseIcal(feed.text).events).toEqual([]);
  });

  it("when a student has links in two courses, then course A's link never shows course B's sessions", async () => {
    const annaB = await launch('cal-b', 'cal-anna', 'Learner', 'Other course');
    await addSession('courseB', annaB, '2027-03-16T09:00:00Z', 'Course B seminar');
    const urlA = await linkAfter(anna, 'create');
    const urlB = await linkAfter(annaB, 'create');
    const feedA = (await fetchFeed(urlA)).text;
    const feedB = parseIcal((await fetchFeed(urlB)).text);
    expect(feedA).not.toContain('Course B seminar');
    expect(feedB.events.map((e) => e.get('SUMMARY'))).toEqual(['Other course – Course B seminar']);
    // The activity in the URL must be the launch's: course A's launch cannot act on course B's activity.
    const cross = await anna.agent.post(`/activity/${annaB.activityId}/student/calendar`).type('form').send({ ltik: anna.ltik, action: 'revoke' });
    expect(cross.status).toBe(403);
    expect(await CalendarFeedTokenModel.countDocuments({ userId: 'cal-anna' })).toBe(2);
  });

  it('when the action is unknown, then it is refused and nothing changes', async () => {
    const res = await calendarAction(anna, 'delete-everything');
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('That calendar link action is not known.');
  });

  it('when a teacher opens the activity, then there is no calendar card, and the student action is refused', async () => {
    const page = await launch('cal-a', 'cal-teacher', 'Instructor');
    expect(page.res.text).not.toContain('Add upcoming sessions to your calendar');
    expect((await calendarAction(page, 'create')).status).toBe(403);
    expect(await CalendarFeedTokenModel.countDocuments({ userId: 'cal-teacher' })).toBe(0);
  });
});
