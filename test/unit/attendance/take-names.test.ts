import { nameParts, nameSortNotice, nameSortNoticeText, sortByName } from '../../../src/attendance/take-names';

const person = (userId: string, name: string, givenName = '', familyName = '') => ({ userId, name, givenName, familyName });
const t = (key: string, vars?: Record<string, unknown>) => (vars ? `${key}:${JSON.stringify(vars)}` : key);

describe('sorting names the LMS sent without parts', () => {
  it('when nobody has a family name (Open edX), then "by last name" sorts by the full name as given and shows it unchanged', () => {
    const people = [person('u1', 'Zane Ābele'), person('u2', 'Anna Zariņa'), person('u3', 'Juris Bērziņš')];
    const sorted = sortByName(people, (p) => nameParts(p, 'last'), 'lv');
    expect(sorted.map((p) => nameParts(p, 'last').shown)).toEqual(['Anna Zariņa', 'Juris Bērziņš', 'Zane Ābele']);
  });

  it('when only some have a family name, then the others take their place by their full name among the family names', () => {
    const people = [person('u1', 'Zane Ābele', 'Zane', 'Ābele'), person('u2', 'Cēzars'), person('u3', 'Juris Bērziņš', 'Juris', 'Bērziņš'), person('u4', 'Dace Kalna')];
    const sorted = sortByName(people, (p) => nameParts(p, 'last'), 'lv');
    expect(sorted.map((p) => nameParts(p, 'last').shown)).toEqual(['Ābele, Zane', 'Bērziņš, Juris', 'Cēzars', 'Dace Kalna']);
  });

  it('when everybody, somebody or nobody lacks a family name, then the notice says all, how many, or nothing', () => {
    expect(nameSortNotice([person('u1', 'A B'), person('u2', 'C D')])).toEqual({ kind: 'all' });
    expect(nameSortNotice([person('u1', 'A B'), person('u2', 'C D', 'C', 'D')])).toEqual({ kind: 'some', count: 1 });
    expect(nameSortNotice([person('u2', 'C D', 'C', 'D')])).toBeUndefined();
    expect(nameSortNoticeText({ kind: 'some', count: 2 }, t, 'x.names')).toBe('x.names.some:{"count":2}');
    expect(nameSortNoticeText({ kind: 'all' }, t, 'x.names')).toBe('x.names.all');
    expect(nameSortNoticeText(undefined, t, 'x.names')).toBeUndefined();
  });
});
