import { mapRoles, parseRole, ToolRole } from '../../../src/lti/roles';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const I = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const S = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';

describe('mapping LTI roles to tool roles', () => {
  const cases: Array<[string, unknown[] | undefined, ToolRole]> = [
    ['Moodle teacher (full URI)', [`${M}#Instructor`], 'teacher'],
    ['Moodle student (full URI)', [`${M}#Learner`], 'student'],
    ['NRPS short name Instructor', ['Instructor'], 'teacher'],
    ['NRPS short name Learner', ['Learner'], 'student'],
    ['short names compare case-insensitively', ['learner'], 'student'],
    ['full URIs compare case-insensitively', [`${M}#INSTRUCTOR`], 'teacher'],
    ['Canvas TA: sub-role of Instructor plus Instructor', [`${M}/Instructor#TeachingAssistant`, `${M}#Instructor`], 'teacher'],
    ['Canvas TA sub-role alone', [`${M}/Instructor#TeachingAssistant`], 'teacher'],
    ['context Administrator', [`${M}#Administrator`], 'teacher'],
    ['ContentDeveloper', [`${M}#ContentDeveloper`], 'teacher'],
    ['institution Administrator (Moodle site admin)', [`${I}#Administrator`], 'teacher'],
    ['system Administrator', [`${S}#Administrator`], 'teacher'],
    ['teacher wins over student when both are present', [`${M}#Learner`, `${M}#Instructor`], 'teacher'],
    ['Learner sub-role is a student', [`${M}/Learner#NonCreditLearner`], 'student'],
    ['LTI 1.1 URN instructor', ['urn:lti:role:ims/lis/Instructor'], 'teacher'],
    ['LTI 1.1 URN TA', ['urn:lti:role:ims/lis/TeachingAssistant'], 'teacher'],
    ['LTI 1.1 URN learner', ['urn:lti:role:ims/lis/Learner'], 'student'],
    ['Mentor (Canvas observer) is limited', [`${M}#Mentor`], 'limited'],
    ['institution Student is not a course student', [`${I}#Student`], 'limited'],
    ['institution Instructor is not a course teacher', [`${I}#Instructor`], 'limited'],
    ['unknown role', ['http://example.com/roles#Wizard'], 'limited'],
    ['empty role list from the certification suite', [''], 'limited'],
    ['no roles at all', [], 'limited'],
    ['missing claim', undefined, 'limited'],
    ['substring is not a match: NotAnInstructor', ['NotAnInstructor'], 'limited'],
    ['substring is not a match: Instructor hidden in another URI', ['http://evil.example/membership#Instructor'], 'limited'],
    ['substring is not a match: suffix garbage', [`${M}#InstructorX`], 'limited'],
    ['non-string values are ignored', [42, null, { role: 'Instructor' }], 'limited'],
    ['Mentor plus Learner is a student', [`${M}#Mentor`, `${M}#Learner`], 'student'],
  ];

  it.each(cases)('%s → %s', (_name, roles, expected) => {
    expect(mapRoles(roles)).toBe(expected);
  });

  it('administrators can be denied teacher powers by option', () => {
    expect(mapRoles([`${I}#Administrator`], { administratorsAreTeachers: false })).toBe('limited');
    expect(mapRoles([`${M}#Administrator`], { administratorsAreTeachers: false })).toBe('teacher');
  });

  it('parses the scope, role and sub-role of each form', () => {
    expect(parseRole(`${M}/Instructor#TeachingAssistant`)).toEqual({ scope: 'context', role: 'instructor', subRole: 'teachingassistant' });
    expect(parseRole(`${S}#SysAdmin`)).toEqual({ scope: 'system', role: 'sysadmin' });
    expect(parseRole('Instructor#TeachingAssistant')).toEqual({ scope: 'context', role: 'instructor', subRole: 'teachingassistant' });
    expect(parseRole(`${I}/Student#Foo`)).toBeUndefined();
    expect(parseRole('a#b#c')).toBeUndefined();
  });
});
