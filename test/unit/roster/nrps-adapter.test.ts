import { NRPS_FAILURE_REASONS, toRosterMember } from '../../../src/lti/nrps.adapter';
import { SYNC_FAILURE_REASONS } from '../../../src/roster/sync-reasons';

/** Two members exactly as Moodle 4.5 sent them (fixtures/moodle/nrps-memberships.json). */
const MOODLE_BODY = {
  id: 'http://localhost:8080/mod/lti/services.php/CourseSection/2/bindings/1/memberships',
  context: { id: '2', label: 'ATT101', title: 'ATT101 Attendance & Tools' },
  members: [
    {
      status: 'Active', roles: ['Learner'], user_id: '6', lis_person_sourcedid: 'ID-student3', name: 'Stan Solo',
      given_name: 'Stan', family_name: 'Solo', email: 'student3@example.com', ext_user_username: 'student3',
    },
    {
      status: 'Active', roles: ['Instructor'], user_id: '3', lis_person_sourcedid: 'ID-teacher1', name: 'Terry Teacher',
      given_name: 'Terry', family_name: 'Teacher', email: 'teacher1@example.com', ext_user_username: 'teacher1',
    },
  ],
};

/** The HTTP side (tokens, pages, retries, failures) is in test/unit/lti/nrps-adapter.test.ts. */
describe('NRPS members', () => {
  it("when Moodle answers, then its members are mapped to RosterMember (ext_user_username as username)", () => {
    expect(MOODLE_BODY.members.map(toRosterMember)).toEqual([
      {
        userId: '6', givenName: 'Stan', familyName: 'Solo', name: 'Stan Solo', email: 'student3@example.com', sourcedId: 'ID-student3',
        username: 'student3', roles: ['Learner'], status: 'Active',
      },
      {
        userId: '3', givenName: 'Terry', familyName: 'Teacher', name: 'Terry Teacher', email: 'teacher1@example.com', sourcedId: 'ID-teacher1',
        username: 'teacher1', roles: ['Instructor'], status: 'Active',
      },
    ]);
  });

  it.each([
    ['a numeric user id and no status', { user_id: 7, roles: ['Learner'] }, { userId: '7', status: 'Active', roles: ['Learner'] }],
    ['roles that are not a list and a plain username', { user_id: 'u', status: 'Inactive', roles: 'Learner', username: 'plain' }, { userId: 'u', status: 'Inactive', roles: [], username: 'plain' }],
    ['a lower-case status and blank fields', { user_id: 'u', status: 'deleted', given_name: '  ', email: '' }, { userId: 'u', status: 'Deleted', roles: [] }],
  ])('when a member has %s, then it still maps cleanly', (_name, raw, expected) => {
    const m = toRosterMember(raw);
    expect(m).toMatchObject(expected);
    expect(m?.givenName).toBeUndefined();
    expect(m?.email).toBeUndefined();
  });

  it('when the adapter names a failure reason, then the roster page knows how to explain it', () => {
    expect(NRPS_FAILURE_REASONS.filter((r) => !(SYNC_FAILURE_REASONS as readonly string[]).includes(r))).toEqual([]);
  });
});
