import { nameParts, sortByName, toTakeView } from '../../../src/attendance/take.presenter';
import type { TakePageData, TakeStudent } from '../../../src/attendance/take.service';
import { translator } from '../../../src/i18n/i18n';
import type { LaunchContext } from '../../../src/lti/launch-context';

const student = (userId: string, givenName: string, familyName: string): TakeStudent => ({ userId, givenName, familyName, name: `${givenName} ${familyName}`, email: '', role: 'student', active: true });

const launch = (locale: 'en' | 'lv'): LaunchContext => ({
  ltik: 'LTIK', issuer: 'i', clientId: 'c', deploymentId: 'd', userId: 't1', courseId: 'course', activityId: 'act', role: 'teacher', locale, userName: 'T', messageType: 'LtiResourceLinkRequest',
});

function pageData(overrides: Partial<TakePageData> = {}): TakePageData {
  return {
    session: { id: 'sess', startsAt: new Date('2099-07-06T07:00:00Z'), durationMinutes: 90, timezone: 'Europe/Riga', description: 'Lab', audience: { kind: 'all' }, statusSetId: 'set' },
    timezone: 'Europe/Riga',
    statusSet: {
      id: 'set', name: 'Default',
      statuses: [
        { id: 'P', acronym: 'P', description: 'Present', visible: true },
        { id: 'X', acronym: 'X', description: 'Old excuse', visible: false },
        { id: 'A', acronym: 'A', description: 'Absent', visible: true },
      ],
    },
    students: [student('u1', 'Anna', 'Zariņa'), student('u2', 'Bruno', 'Apse'), student('u3', 'Cits', 'Čaks')],
    former: [],
    records: new Map([['u3', { userId: 'u3', statusId: 'X', remark: 'old', source: 'teacher' as const }]]),
    ...overrides,
  };
}

describe('names and order', () => {
  it('when sorting by last name, then "Family, Given" in the language\'s collation; by first name "Given Family"', () => {
    const people = [student('1', 'Zane', 'Čakste'), student('2', 'Anna', 'Cīrule'), student('3', 'Ēriks', 'Berzs')];
    expect(sortByName(people, (s) => nameParts(s, 'last'), 'lv').map((s) => nameParts(s, 'last').shown)).toEqual(['Berzs, Ēriks', 'Cīrule, Anna', 'Čakste, Zane']);
    expect(sortByName(people, (s) => nameParts(s, 'first'), 'lv').map((s) => nameParts(s, 'first').shown)).toEqual(['Anna Cīrule', 'Ēriks Berzs', 'Zane Čakste']);
  });

  it('when a person has no given and family name, then the full name or the LMS id is shown', () => {
    expect(nameParts({ userId: 'lms-7', givenName: '', familyName: '', name: '' }, 'last').shown).toBe('lms-7');
    expect(nameParts({ userId: 'lms-7', givenName: '', familyName: '', name: 'Prince' }, 'first').shown).toBe('Prince');
  });
});

describe('toTakeView', () => {
  it('when a record has a hidden status, then only that row offers it, checked; other rows offer the visible statuses', () => {
    const view = toTakeView({ launch: launch('en'), t: translator('en'), data: pageData(), sort: 'last' });
    expect(view.rows.map((r) => [r.name, r.statusId, r.options.map((o) => o.acronym).join('')])).toEqual([
      ['Apse, Bruno', '', 'PA'],
      ['Čaks, Cits', 'X', 'PXA'],
      ['Zariņa, Anna', '', 'PA'],
    ]);
    expect(view.statuses.map((s) => s.acronym)).toEqual(['P', 'A']);
    expect(view.counter).toMatchObject({ total: 3, unmarked: 2, text: '2 still unmarked' });
    expect(view.when).toBe('Mon, 6 Jul 2099, 10:00–11:30');
    expect(view.rows[0]?.historyHref).toBeUndefined();
    expect(view.rows[1]?.historyHref).toBe('/activity/act/teacher/sessions/sess/take/history/u3?ltik=LTIK');
  });

  it('when posted values come back (a refused save), then they replace the stored ones and the row problem is shown by name', () => {
    const view = toTakeView({
      launch: launch('en'), t: translator('en'), data: pageData(), sort: 'first',
      posted: [{ index: 0, userId: 'u1', statusId: 'A', remark: 'x'.repeat(501) }],
      problems: [{ index: 0, userId: 'u1', key: 'remark_too_long' }],
    });
    const anna = view.rows.find((r) => r.userId === 'u1');
    expect(anna).toMatchObject({ statusId: 'A', error: 'the remark is longer than 500 characters.' });
    expect(view.errors).toEqual(['Anna Zariņa: the remark is longer than 500 characters.']);
  });

  it('when the page is in Latvian, then the live counter has a template for each Latvian plural form', () => {
    const view = toTakeView({ launch: launch('lv'), t: translator('lv'), data: pageData(), sort: 'last' });
    expect(JSON.parse(view.counter.templates)).toEqual({ zero: 'Vēl neatzīmēti: {{count}}', one: 'Vēl neatzīmēts: {{count}}', other: 'Vēl neatzīmēti: {{count}}' });
    expect(view.counter.text).toBe('Vēl neatzīmēti: 2');
  });

  it('when everyone is marked, then the counter says so', () => {
    const records = new Map(['u1', 'u2', 'u3'].map((u) => [u, { userId: u, statusId: 'P', remark: '', source: 'self' as const }]));
    const view = toTakeView({ launch: launch('en'), t: translator('en'), data: pageData({ records }), sort: 'last' });
    expect(view.counter.text).toBe('Everyone is marked');
    expect(view.rows.every((r) => r.selfRecorded)).toBe(true);
  });

  describe('after a save with conflicts', () => {
    const at = new Date('2099-07-06T07:42:00Z'); // 10:42 in Riga
    const records = new Map([
      ['u1', { userId: 'u1', statusId: 'P', remark: 'came back', source: 'teacher' as const }],
      ['u2', { userId: 'u2', statusId: 'P', remark: '', source: 'self' as const }],
      ['u3', { userId: 'u3', statusId: 'X', remark: 'old', source: 'teacher' as const }],
    ]);
    const lastChanges = new Map([
      ['u1', { actorId: 't2', actorName: 'Jānis Ozols', source: 'teacher' as const, at, to: { statusId: 'P', remark: 'came back' } }],
      ['u2', { actorId: 'u2', source: 'self' as const, at, to: { statusId: 'P', remark: '' } }],
    ]);
    const input = (locale: 'en' | 'lv') => ({
      launch: launch(locale), t: translator(locale), data: pageData({ records, lastChanges }), sort: 'last' as const, now: at, flash: { saved: 1 },
      conflicts: [
        { userId: 'u1', mine: { statusId: 'A', remark: '' }, edited: false },
        { userId: 'u2', mine: { statusId: 'A', remark: 'not seen' }, edited: true },
        { userId: 'u3', mine: { statusId: 'X', remark: 'old' }, edited: false }, // stored = mine again: no conflict
      ],
    });

    it('then each conflict row keeps the teacher\'s value, carries the stored one as shown, and says who, when and both values', () => {
      const view = toTakeView(input('en'));
      expect(view.conflictCount).toBe(2);
      expect(view.flash).toEqual({ tone: 'warning', text: expect.stringMatching(/^Attendance saved: 1 change\. 2 conflicts: /) });
      const [bruno, cits, anna] = view.rows;
      expect(cits?.conflict).toBeUndefined();
      expect(anna).toMatchObject({ statusId: 'A', remark: '', shown: JSON.stringify(['P', 'came back']) });
      expect(anna?.conflict).toMatchObject({
        what: 'Changed by Jānis Ozols at 10:42 to P · Present, remark “came back”.',
        mine: 'This page showed A · Absent, no remark.',
        keepLabel: 'Keep theirs: P · Present', useLabel: 'Use mine: A · Absent', choice: 'theirs',
      });
      expect(bruno?.conflict).toMatchObject({ what: 'The student checked in at 10:42: P · Present, no remark.', mine: 'You chose A · Absent, remark “not seen”.' });
    });

    it('then in Latvian the same facts read in Latvian, the time in the activity\'s zone', () => {
      const anna = toTakeView(input('lv')).rows[2];
      expect(anna?.conflict?.what).toBe('Jānis Ozols plkst. 10:42 nomainīja uz P · Present, piezīme “came back”.');
      expect(anna?.conflict?.mine).toBe('Šajā lapā bija A · Absent, bez piezīmes.');
    });

    it('when the last audit entry does not explain what is stored, then the row says "changed elsewhere" and no name or time', () => {
      const other = new Map([['u1', { actorId: 't2', actorName: 'Jānis Ozols', source: 'teacher' as const, at, to: { statusId: 'A', remark: '' } }]]);
      const view = toTakeView({ ...input('en'), data: pageData({ records, lastChanges: other }) });
      expect(view.rows[2]?.conflict?.what).toBe('Changed elsewhere to P · Present, remark “came back”.');
    });
  });
});
