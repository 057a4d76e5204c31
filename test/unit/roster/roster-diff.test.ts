import type { RosterMember } from '../../../src/lti/lti-services';
import { diffRoster, type KnownMember } from '../../../src/roster/roster-diff';

const NOW = new Date('2025-03-10T08:00:00Z');
const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

const lmsMember = (userId: string, over: Partial<RosterMember> = {}): RosterMember => ({
  userId,
  givenName: 'Sam',
  familyName: `Student ${userId}`,
  name: `Sam Student ${userId}`,
  email: `${userId}@example.com`,
  sourcedId: `ID-${userId}`,
  username: userId,
  roles: ['Learner'],
  status: 'Active',
  ...over,
});
const known = (userId: string, over: Partial<KnownMember> = {}): KnownMember => ({ userId, active: true, ...over });

describe('roster diffing', () => {
  it('when the LMS lists someone the tool does not know, then they are added as an active member', () => {
    const diff = diffRoster([], [lmsMember('s1')], NOW);
    expect(diff.upserts).toEqual([
      {
        userId: 's1',
        isNew: true,
        set: {
          givenName: 'Sam', familyName: 'Student s1', name: 'Sam Student s1', email: 's1@example.com', sourcedId: 'ID-s1', username: 's1',
          ltiRoles: ['Learner'], role: 'student', active: true, rosterStatus: 'active', lastRosterSyncAt: NOW,
        },
      },
    ]);
    expect(diff.deactivations).toEqual([]);
    expect(diff.counts).toEqual({ active: 1, inactive: 0, added: 1 });
  });

  it('when a known member changed names in the LMS, then the new names are written and they are not counted as new', () => {
    const diff = diffRoster([known('s1')], [lmsMember('s1', { givenName: 'Samantha', familyName: 'Stone', name: 'Samantha Stone' })], NOW);
    expect(diff.upserts[0]).toMatchObject({ isNew: false, set: { givenName: 'Samantha', familyName: 'Stone', name: 'Samantha Stone' } });
    expect(diff.counts.added).toBe(0);
  });

  it('when the LMS leaves a field out (e.g. email hidden), then the stored value is not overwritten', () => {
    const diff = diffRoster([known('s1')], [lmsMember('s1', { email: undefined, username: undefined, name: undefined })], NOW);
    const set = diff.upserts[0]?.set ?? {};
    expect('email' in set).toBe(false);
    expect('username' in set).toBe(false);
    expect(diff.upserts[0]?.set.name).toBe('Sam Student s1'); // built from given + family name
  });

  it.each([
    ['Inactive', 'inactive'],
    ['Deleted', 'deleted'],
  ] as const)('when the LMS reports a member %s, then they become inactive (never deleted)', (status, rosterStatus) => {
    const diff = diffRoster([known('s1')], [lmsMember('s1', { status })], NOW);
    expect(diff.upserts[0]?.set).toMatchObject({ active: false, rosterStatus });
    expect(diff.deactivations).toEqual([]);
    expect(diff.counts).toEqual({ active: 0, inactive: 1, added: 0 });
  });

  it('when a member is no longer returned by the LMS, then they are deactivated, not removed', () => {
    const diff = diffRoster([known('s1'), known('s2')], [lmsMember('s1')], NOW);
    expect(diff.upserts.map((u) => u.userId)).toEqual(['s1']);
    expect(diff.deactivations).toEqual(['s2']);
    expect(diff.counts).toEqual({ active: 1, inactive: 1, added: 0 });
  });

  it('when a member known only from a launch is absent from the LMS roster, then they are deactivated', () => {
    const diff = diffRoster([known('launch-only', { rosterStatus: undefined })], [lmsMember('s1')], NOW);
    expect(diff.deactivations).toEqual(['launch-only']);
  });

  it('when an absent member was already deactivated, then no write is planned for them but they still count as inactive', () => {
    const diff = diffRoster([known('gone', { active: false, rosterStatus: 'absent' })], [lmsMember('s1')], NOW);
    expect(diff.deactivations).toEqual([]);
    expect(diff.counts.inactive).toBe(1);
  });

  it('when an absent member launched again since (active again), then the next sync deactivates them again', () => {
    const diff = diffRoster([known('gone', { active: true, rosterStatus: 'absent' })], [lmsMember('s1')], NOW);
    expect(diff.deactivations).toEqual(['gone']);
  });

  it('when a previously inactive member is back in the LMS as Active, then they are active again', () => {
    const diff = diffRoster([known('s1', { active: false, rosterStatus: 'absent' })], [lmsMember('s1')], NOW);
    expect(diff.upserts[0]?.set).toMatchObject({ active: true, rosterStatus: 'active' });
    expect(diff.counts).toEqual({ active: 1, inactive: 0, added: 0 });
  });

  it.each([
    [['Learner'], 'student'],
    [['Instructor'], 'teacher'],
    [['Instructor#TeachingAssistant'], 'teacher'],
    [[`${M}Learner`], 'student'],
    [[`${M}Instructor`], 'teacher'],
    [['ContentDeveloper'], 'teacher'],
    [['Mentor'], 'limited'],
    [[], 'limited'],
    [['NotAnInstructor'], 'limited'],
  ])('when the LMS gives roles %j, then the member is mapped to %s', (roles, role) => {
    const diff = diffRoster([], [lmsMember('x', { roles: roles as string[] })], NOW);
    expect(diff.upserts[0]?.set).toMatchObject({ role, ltiRoles: roles });
  });

  it('when the LMS lists a member exactly as stored, then no per-member write is planned, only their sync time', () => {
    const stored = known('s1', {
      givenName: 'Sam', familyName: 'Student s1', name: 'Sam Student s1', email: 's1@example.com', sourcedId: 'ID-s1', username: 's1',
      ltiRoles: ['Learner'], role: 'student', rosterStatus: 'active',
    });
    const same = diffRoster([stored], [lmsMember('s1')], NOW);
    expect(same.upserts).toEqual([]);
    expect(same.unchanged).toEqual(['s1']);
    expect(same.counts).toEqual({ active: 1, inactive: 0, added: 0 });

    const roleChanged = diffRoster([stored], [lmsMember('s1', { roles: ['Learner', 'Mentor'] })], NOW);
    expect(roleChanged.upserts.map((u) => u.userId)).toEqual(['s1']);
    const launchedOnly = diffRoster([{ ...stored, rosterStatus: undefined }], [lmsMember('s1')], NOW);
    expect(launchedOnly.upserts.map((u) => u.userId)).toEqual(['s1']); // first sync records rosterStatus
  });

  it('when the same user id appears on two pages, then it is written once with the last answer', () => {
    const diff = diffRoster([], [lmsMember('s1', { familyName: 'First' }), lmsMember('s1', { familyName: 'Second' })], NOW);
    expect(diff.upserts).toHaveLength(1);
    expect(diff.upserts[0]?.set.familyName).toBe('Second');
  });
});
