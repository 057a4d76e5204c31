/**
 * Maps LTI role claims to what the tool lets a person do. Pure.
 *
 * Platforms send full LIS v2 URIs in the id_token, Moodle's NRPS sends short context role
 * names ("Learner"), Canvas sends TA sub-roles (".../membership/Instructor#TeachingAssistant"),
 * old integrations send LTI 1.1 URNs. We parse each value into (scope, role, sub-role) and
 * compare whole names case-insensitively — never substrings, so "NotAnInstructor" is nobody.
 */

export type ToolRole = 'teacher' | 'student' | 'limited';

export interface ParsedRole {
  scope: 'context' | 'institution' | 'system';
  role: string; // lower-cased principal role, e.g. 'instructor'
  subRole?: string; // lower-cased, e.g. 'teachingassistant'
}

const LIS = 'http://purl.imsglobal.org/vocab/lis/v2/';
const NAME = /^[a-z][a-z0-9]*$/;

export function parseRole(raw: string): ParsedRole | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  if (value.startsWith(LIS)) return parseLisUri(value.slice(LIS.length));
  const urn = /^urn:lti:(role|instrole|sysrole):ims\/lis\/([a-z0-9]+)(?:\/([a-z0-9]+))?$/.exec(value);
  if (urn) {
    const scope = urn[1] === 'role' ? 'context' : urn[1] === 'instrole' ? 'institution' : 'system';
    return withSub(scope, urn[2] ?? '', urn[3]);
  }
  // Short context role names ("Learner", "Instructor#TeachingAssistant").
  const [role, sub, ...rest] = value.split('#');
  if (rest.length > 0 || !role || !NAME.test(role) || (sub !== undefined && !NAME.test(sub))) return undefined;
  return withSub('context', role, sub);
}

function parseLisUri(path: string): ParsedRole | undefined {
  // membership#Instructor | membership/Instructor#TeachingAssistant | institution/person#X | system/person#X
  const m = /^(membership|institution\/person|system\/person)(?:\/([a-z0-9]+))?#([a-z0-9]+)$/.exec(path);
  if (!m) return undefined;
  const scope = m[1] === 'membership' ? 'context' : m[1] === 'institution/person' ? 'institution' : 'system';
  if (scope !== 'context' && m[2]) return undefined;
  return m[2] ? withSub(scope, m[2], m[3]) : withSub(scope, m[3] ?? '', undefined);
}

function withSub(scope: ParsedRole['scope'], role: string, subRole: string | undefined): ParsedRole | undefined {
  if (!NAME.test(role)) return undefined;
  return subRole ? { scope, role, subRole } : { scope, role };
}

const TEACHER_CONTEXT_ROLES = new Set(['instructor', 'administrator', 'contentdeveloper', 'teachingassistant']);
const STUDENT_CONTEXT_ROLES = new Set(['learner']);
const ADMIN_ROLES = new Set(['administrator', 'sysadmin']);

export interface RoleMappingOptions {
  /** Institution/system administrators get teacher powers (they manage courses in most LMSs). */
  administratorsAreTeachers: boolean;
}

export function mapRoles(roles: readonly unknown[] | undefined, options: RoleMappingOptions = { administratorsAreTeachers: true }): ToolRole {
  const parsed = (roles ?? [])
    .filter((r): r is string => typeof r === 'string')
    .map(parseRole)
    .filter((r): r is ParsedRole => r !== undefined);
  const isTeacher = parsed.some(
    (r) =>
      (r.scope === 'context' && TEACHER_CONTEXT_ROLES.has(r.role)) ||
      (options.administratorsAreTeachers && r.scope !== 'context' && ADMIN_ROLES.has(r.role)),
  );
  if (isTeacher) return 'teacher';
  if (parsed.some((r) => r.scope === 'context' && STUDENT_CONTEXT_ROLES.has(r.role))) return 'student';
  return 'limited';
}
