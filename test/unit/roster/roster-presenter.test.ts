import { catalogKeys, translator } from '../../../src/i18n/i18n';
import { formatDateTime, formatRelative, sortRoster, toRosterView } from '../../../src/roster/roster.presenter';
import type { RosterData, RosterRow } from '../../../src/roster/roster.service';
import { SYNC_FAILURE_REASONS } from '../../../src/roster/sync-reasons';

const NOW = new Date('2025-03-10T10:00:00Z');
const en = { locale: 'en' as const, t: translator('en'), now: NOW, refreshed: false };
const row = (userId: string, over: Partial<RosterRow> = {}): RosterRow => ({
  userId, givenName: 'Sam', familyName: userId, name: `Sam ${userId}`, role: 'student', active: true, ...over,
});
const data = (over: Partial<RosterData> = {}): RosterData => ({ timezone: 'Europe/Riga', nrpsAvailable: true, members: [], ...over });
const okSync = (at: Date) => ({ status: 'ok' as const, at, counts: { active: 3, inactive: 1, added: 2 }, lastSuccessAt: at });

describe('roster page view', () => {
  it('when a time is shown, then it is in the activity time zone and the UI language', () => {
    expect(formatDateTime(new Date('2025-03-10T08:05:00Z'), 'Europe/Riga', 'en')).toBe('10 Mar 2025, 10:05');
    expect(formatDateTime(new Date('2025-07-10T08:05:00Z'), 'Europe/Riga', 'lv')).toContain('11:05'); // summer time: UTC+3
  });

  it('when the last sync was a moment ago or hours ago, then the relative time says so', () => {
    expect(formatRelative(new Date(NOW.getTime() - 20_000), NOW, 'en', translator('en'))).toBe('just now');
    expect(formatRelative(new Date(NOW.getTime() - 3 * 3600_000), NOW, 'en', translator('en'))).toBe('3 hours ago');
    expect(formatRelative(new Date(NOW.getTime() - 3 * 3600_000), NOW, 'lv', translator('lv'))).toMatch(/pirms 3 stundām/);
  });

  it('when members are listed, then they are sorted by family name with the language collation', () => {
    const members = [row('a', { familyName: 'Šmits' }), row('b', { familyName: 'Zariņš' }), row('c', { familyName: 'Sils' }), row('d', { familyName: 'Bērziņa' })];
    expect(sortRoster(members, 'lv').map((m) => m.familyName)).toEqual(['Bērziņa', 'Sils', 'Šmits', 'Zariņš']);
    const numbered = [row('x', { familyName: 'Number10' }), row('y', { familyName: 'Number2' })];
    expect(sortRoster(numbered, 'en').map((m) => m.familyName)).toEqual(['Number2', 'Number10']);
  });

  it('when the roster synced, then the notice gives the local time and how long ago', () => {
    const view = toRosterView(data({ sync: okSync(new Date('2025-03-10T08:00:00Z')) }), en);
    expect(view.notice.text).toBe('Last synced from the LMS: 10 Mar 2025, 10:00 (2 hours ago)');
    expect(view.canRefresh).toBe(true);
    expect(view.flash).toBeUndefined();
  });

  it('when the last refresh failed, then the notice gives the reason and the time of the list shown', () => {
    const sync = { ...okSync(new Date('2025-03-10T08:00:00Z')), status: 'failed' as const, at: NOW, reason: 'lms_error', httpStatus: 503 };
    const view = toRosterView(data({ sync }), { ...en, refreshed: true });
    expect(view.notice).toMatchObject({ tone: 'error' });
    expect(view.notice.text).toBe('The last refresh failed (the LMS answered with error 503) — showing the list from 10 Mar 2025, 10:00 (2 hours ago).');
    expect(view.flash).toMatchObject({ tone: 'error', role: 'alert' });
  });

  it('when no refresh ever succeeded, then the notice says only people who opened the activity are shown', () => {
    const view = toRosterView(data({ sync: { status: 'failed', at: NOW, reason: 'weird', counts: { active: 0, inactive: 0, added: 0 } } }), en);
    expect(view.notice.text).toContain('an unexpected error');
    expect(view.notice.text).toContain('only the people who have opened the activity');
  });

  it('when the activity has no Names and Roles service, then the page explains why and offers no refresh', () => {
    const view = toRosterView(data({ nrpsAvailable: false }), en);
    expect(view.notice.text).toContain('did not offer the Names and Roles service');
    expect(view.notice.hint).toContain("IMS LTI Names and Role Provisioning");
    expect(view.canRefresh).toBe(false);
  });

  it('when the page follows a successful refresh, then the flash gives the counts', () => {
    const view = toRosterView(data({ sync: okSync(NOW) }), { ...en, refreshed: true });
    expect(view.flash).toEqual({ tone: 'success', role: 'status', text: 'The roster was refreshed from the LMS. Active: 3, inactive: 1, new: 2.' });
  });

  it('when members are inactive, then they are shown with a text label and the reason, and counted', () => {
    const members = [
      row('a'),
      row('b', { active: false, rosterStatus: 'absent', lastLaunchAt: new Date('2025-03-01T12:00:00Z') }),
      row('c', { active: false, rosterStatus: 'inactive' }),
      row('t', { role: 'teacher' }),
      row('g', { role: 'limited' }),
    ];
    const view = toRosterView(data({ members }), en);
    expect(view.rows.map((r) => [r.name, r.statusLabel, r.statusNote, r.lastOpened])).toEqual([
      ['a, Sam', 'Active', '', 'never'],
      ['b, Sam', 'Inactive', 'no longer in the LMS course', '1 Mar 2025, 14:00'],
      ['c, Sam', 'Inactive', 'inactive in the LMS', 'never'],
      ['g, Sam', 'Active', '', 'never'],
      ['t, Sam', 'Active', '', 'never'],
    ]);
    expect(view.rows.map((r) => r.roleLabel)).toEqual(['Student', 'Student', 'Student', 'Guest (view only)', 'Teacher']);
    expect(view.counts.map((c) => [c.label, c.value])).toEqual([
      ['Active students', 1],
      ['Inactive students', 2],
      ['Teachers', 1],
      ['Guests (view only)', 1],
    ]);
  });

  it('when a member has no names, then the row falls back to the LMS user id', () => {
    const view = toRosterView(data({ members: [row('u-9', { givenName: '', familyName: '', name: '' })] }), en);
    expect(view.rows[0]?.name).toBe('u-9');
  });

  it('when any failure reason is stored, then both languages can explain it', () => {
    for (const locale of ['en', 'lv'] as const) {
      const keys = new Set(catalogKeys(locale));
      expect(SYNC_FAILURE_REASONS.filter((r) => !keys.has(`roster.reasons.${r}`))).toEqual([]);
      for (const note of ['inactive', 'deleted', 'absent', 'unknown']) expect(keys.has(`roster.status_note.${note}`)).toBe(true);
    }
  });
});
