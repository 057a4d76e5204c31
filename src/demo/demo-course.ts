import type { MockUser } from './lms-simulator/types';

/** The demo's sample course: what the simulator sends over LTI and NRPS, and the tool-side groups. */
export const DEMO_CONTEXT = { id: 'fizika-101', label: 'FIZ101', title: 'Fizika 101 / Physics 101' };
export const DEMO_RESOURCE_LINK = { id: 'fizika-101-attendance', title: 'Apmeklējums / Attendance', description: 'Lectures and labs' };
export const DEMO_CLIENT_ID = 'lti-attendance-demo';

const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
/** Canvas sends a TA as an Instructor sub-role. */
const TEACHING_ASSISTANT = 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

// Latvian and English names alternate, so each group gets both.
const STUDENT_NAMES: Array<[string, string]> = [
  ['Anna', 'Bērziņa'], ['Emily', 'Clarke'], ['Jānis', 'Kalniņš'], ['Oliver', 'Smith'], ['Līga', 'Ozola'],
  ['Sophie', 'Turner'], ['Mārtiņš', 'Liepiņš'], ['James', 'Walker'], ['Ilze', 'Krūmiņa'], ['Charlotte', 'Evans'],
  ['Kārlis', 'Jansons'], ['Harry', 'Wilson'], ['Elīna', 'Vītola'], ['Amelia', 'Hughes'], ['Roberts', 'Zariņš'],
  ['George', 'Taylor'], ['Laura', 'Kļaviņa'], ['Isla', 'Roberts'], ['Edgars', 'Pētersons'], ['Jack', 'Thompson'],
  ['Dace', 'Lapiņa'], ['Grace', 'Wright'], ['Artūrs', 'Balodis'], ['Thomas', 'Green'], ['Kristīne', 'Eglīte'],
  ['Lucy', 'Hall'], ['Rūdolfs', 'Šmits'], ['William', 'Baker'], ['Zane', 'Ābola'], ['Chloe', 'Harris'],
];

function person(id: string, givenName: string, familyName: string, role: string): MockUser {
  const username = id.replace(/-/g, '');
  return { id, givenName, familyName, email: `${username}@fizika101.example`, username, sourcedId: `ID-${username}`, roles: [role], status: 'Active' };
}

export const DEMO_TEACHER = person('teacher-1', 'Inese', 'Dreimane', INSTRUCTOR);
export const DEMO_ASSISTANT = person('assistant-1', 'Daniel', 'Brooks', TEACHING_ASSISTANT);
export const DEMO_STUDENTS: MockUser[] = STUDENT_NAMES.map(([given, family], i) =>
  person(`student-${String(i + 1).padStart(2, '0')}`, given, family, LEARNER),
);
export const DEMO_MEMBERS: MockUser[] = [DEMO_TEACHER, DEMO_ASSISTANT, ...DEMO_STUDENTS];

export const DEMO_GROUPS: Array<{ name: string; memberIds: string[] }> = [
  { name: 'Group A', memberIds: DEMO_STUDENTS.slice(0, 15).map((s) => s.id) },
  { name: 'Group B', memberIds: DEMO_STUDENTS.slice(15).map((s) => s.id) },
];

/** What the course page shows as a member's role. */
export function roleLabel(user: MockUser): string {
  const role = user.roles[0] ?? '';
  if (role === TEACHING_ASSISTANT) return 'Teaching assistant';
  if (role === INSTRUCTOR) return 'Teacher';
  if (role === LEARNER) return 'Student';
  return role;
}
