import { isTeachingAssistant, mapRoles, parseRole, roleFacts, TeachingAssistantPolicy, ToolRole } from '../../../src/lti/roles';

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

describe('teaching assistants follow the activity\'s setting', () => {
  const TA = `${M}/Instructor#TeachingAssistant`;
  const canvasTa = [TA, `${I}#Instructor`, `${S}#User`];
  const openEdxModerator = [`${M}#Learner`, TA];
  const moodleNonEditingTeacher = [`${M}#Instructor`];
  const cases: Array<[string, unknown[], Record<TeachingAssistantPolicy, ToolRole>]> = [
    ['Canvas TA (TA sub-role, institution Instructor, no Learner)', canvasTa, { except_students: 'teacher', all: 'teacher', none: 'student' }],
    ['Canvas TA as canvas-lms sends it (TA sub-role + plain Instructor)', [TA, `${M}#Instructor`, `${I}#Instructor`], { except_students: 'teacher', all: 'teacher', none: 'student' }],
    ['Open edX forum moderator (Learner + TA sub-role)', openEdxModerator, { except_students: 'student', all: 'teacher', none: 'student' }],
    ['Moodle non-editing teacher (plain Instructor)', moodleNonEditingTeacher, { except_students: 'teacher', all: 'teacher', none: 'teacher' }],
    ['TA sub-role plus another Instructor sub-role (Lecturer) is a plain teacher', [TA, `${M}/Instructor#Lecturer`], { except_students: 'teacher', all: 'teacher', none: 'teacher' }],
    ['TA sub-role plus ContentDeveloper', [TA, `${M}#ContentDeveloper`], { except_students: 'teacher', all: 'teacher', none: 'teacher' }],
    ['TA sub-role plus context Administrator', [TA, `${M}#Administrator`], { except_students: 'teacher', all: 'teacher', none: 'teacher' }],
    ['LTI 1.1 URN TA (principal role)', ['urn:lti:role:ims/lis/TeachingAssistant'], { except_students: 'teacher', all: 'teacher', none: 'student' }],
    ['short name Instructor#TeachingAssistant with Learner', ['Learner', 'Instructor#TeachingAssistant'], { except_students: 'student', all: 'teacher', none: 'student' }],
    ['other TA sub-roles (TeachingAssistantSection)', [`${M}/Instructor#TeachingAssistantSection`], { except_students: 'teacher', all: 'teacher', none: 'student' }],
    ['plain student', [`${M}#Learner`], { except_students: 'student', all: 'student', none: 'student' }],
    ['other Instructor sub-roles are plain teachers (Lecturer)', [`${M}/Instructor#Lecturer`], { except_students: 'teacher', all: 'teacher', none: 'teacher' }],
    ['institution administrator plus TA is a teacher', [`${I}#Administrator`, TA, `${M}#Learner`], { except_students: 'teacher', all: 'teacher', none: 'teacher' }],
  ];

  it.each(cases)('%s', (_name, roles, expected) => {
    for (const policy of ['except_students', 'all', 'none'] as const) {
      expect([policy, mapRoles(roles, { teachingAssistants: policy })]).toEqual([policy, expected[policy]]);
    }
  });

  it('without a setting, the default applies: TAs teach, students with a TA role are students', () => {
    expect(mapRoles(canvasTa)).toBe('teacher');
    expect(mapRoles(openEdxModerator)).toBe('student');
  });

  it('a teaching-assistant launch is one whose only teaching role is a TA one', () => {
    expect(isTeachingAssistant(canvasTa)).toBe(true);
    expect(isTeachingAssistant(openEdxModerator)).toBe(true);
    expect(isTeachingAssistant(moodleNonEditingTeacher)).toBe(false);
    expect(isTeachingAssistant([TA, `${M}#Instructor`])).toBe(true);
    expect(isTeachingAssistant([TA, `${M}#Administrator`])).toBe(false);
    expect(isTeachingAssistant(['Learner'])).toBe(false);
    expect(roleFacts(openEdxModerator)).toEqual({ teacher: false, teachingAssistant: true, learner: true });
  });

  it('an administrator who is denied teacher powers but holds a TA role is a teaching assistant', () => {
    expect(isTeachingAssistant([`${I}#Administrator`, TA], { administratorsAreTeachers: false })).toBe(true);
    expect(mapRoles([`${I}#Administrator`, TA], { administratorsAreTeachers: false, teachingAssistants: 'none' })).toBe('student');
  });
});
