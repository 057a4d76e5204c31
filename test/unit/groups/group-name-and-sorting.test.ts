import { groupNameKey, normalizeGroupName } from '../../../src/groups/group-name';
import { displayName, sortStudents } from '../../../src/groups/groups.presenter';
import { groupNameSchema, memberSelectionSchema } from '../../../src/groups/groups.schema';

const person = (familyName: string, givenName: string, userId = `${familyName}-${givenName}`) => ({ familyName, givenName, name: '', userId });

describe('group names', () => {
  it.each([
    ['  Lab   A ', 'Lab A', 'lab a'],
    ['LAB a', 'LAB a', 'lab a'],
    ['Grupa\u0020Ā', 'Grupa Ā', 'grupa ā'],
    ['A\u0304 grupa', 'Ā grupa', 'ā grupa'], // decomposed Ā equals the precomposed one
  ])('when the name is %p, then it is stored as %p with key %p', (raw, name, key) => {
    expect(normalizeGroupName(raw)).toBe(name);
    expect(groupNameKey(raw)).toBe(key);
  });

  it.each([
    [{ name: '   ' }, 'form.required'],
    [{}, 'form.required'],
    [{ name: 'x'.repeat(101) }, 'form.too_long'],
  ])('when the form sends %p, then it is refused with %p', (body, message) => {
    const parsed = groupNameSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(message);
  });

  it('when nothing is selected, then the selection is refused with a clear message', () => {
    expect(memberSelectionSchema.safeParse({ userIds: [] }).error?.issues[0]?.message).toBe('groups.errors.none_selected');
    expect(memberSelectionSchema.parse({ userIds: ['a', 'b', 'a'] }).userIds).toEqual(['a', 'b']);
  });
});

describe('students on the groups pages', () => {
  it('when sorted in Latvian, then family names follow the Latvian alphabet, then given names', () => {
    const rows = [person('Šmits', 'Ivo'), person('Zariņš', 'Ed'), person('Sils', 'Ada'), person('Āboliņa', 'Zane'), person('Abele', 'Ilze'), person('Sils', 'Aija')];
    expect(sortStudents(rows, 'lv').map(displayName)).toEqual([
      'Abele, Ilze', 'Āboliņa, Zane', 'Sils, Ada', 'Sils, Aija', 'Šmits, Ivo', 'Zariņš, Ed',
    ]);
  });

  it('when a name is missing, then the full name or the LMS id is shown instead', () => {
    expect(displayName({ familyName: '', givenName: '', name: 'Mononym', userId: 'u9' })).toBe('Mononym');
    expect(displayName({ familyName: '', givenName: '', name: '', userId: 'u9' })).toBe('u9');
  });
});
