/**
 * Maps LTI role claims to what the tool lets a person do. Pure.
 *
 * Platforms send full LIS v2 URIs in the id_token, Moodle's NRPS sends short context role
 * names ("Learner"), Canvas sends TA sub-roles (".../membership/Instructor#TeachingAssistant"),
 * old integrations send LTI 1.1 URNs. We parse each value into (scope, role, sub-role) and
 * compare whole names case-insensitively — never substrings, so "NotAnInstructor" is nobody.
 * Teaching assistants are a per-activity choice of the teacher (TeachingAssistantPolicy).
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

/**
 * Who may take attendance in an activity that a teaching assistant launches (the activity's
 * setting, chosen by its teacher). A teaching-assistant launch is one whose only teaching role
 * is a TA one (see roleFacts): Canvas TAs (TA sub-role + Instructor, no Learner) and Open edX
 * forum moderators (Community TA, Group Moderator: Learner plus the TA sub-role) alike. Moodle
 * sends non-editing teachers as plain Instructor: they are teachers under every setting.
 * - 'except_students' (default): TAs take attendance, but a launch that also carries Learner is a student;
 * - 'all': every TA launch takes attendance, also with Learner;
 * - 'none': every TA launch is a student.
 */
export const TEACHING_ASSISTANT_POLICIES = ['except_students', 'all', 'none'] as const;
export type TeachingAssistantPolicy = (typeof TEACHING_ASSISTANT_POLICIES)[number];
export const DEFAULT_TEACHING_ASSISTANT_POLICY: TeachingAssistantPolicy = 'except_students';

export function isTeachingAssistantPolicy(value: unknown): value is TeachingAssistantPolicy {
  return typeof value === 'string' && (TEACHING_ASSISTANT_POLICIES as readonly string[]).includes(value);
}

/** Context roles that make a plain teacher, whatever their sub-role (except Instructor's TA sub-roles). */
const TEACHER_CONTEXT_ROLES = new Set(['instructor', 'administrator', 'contentdeveloper']);
const STUDENT_CONTEXT_ROLES = new Set(['learner']);
const ADMIN_ROLES = new Set(['administrator', 'sysadmin']);

/**
 * LIS v2 names several TA sub-roles of Instructor (TeachingAssistant, TeachingAssistantSection,
 * TeachingAssistantOffering, ...); LTI 1.1 and short names also have a principal TeachingAssistant.
 */
function isTeachingAssistantRole(r: ParsedRole): boolean {
  if (r.scope !== 'context') return false;
  if (r.role === 'teachingassistant') return true;
  return r.role === 'instructor' && r.subRole !== undefined && r.subRole.startsWith('teachingassistant');
}

export interface RoleMappingOptions {
  /** Institution/system administrators get teacher powers (they manage courses in most LMSs). Default true. */
  administratorsAreTeachers?: boolean;
  /** The activity's teaching-assistant setting. Default 'except_students'. */
  teachingAssistants?: TeachingAssistantPolicy;
}

/** What a role list says, before any activity setting is applied. */
export interface RoleFacts {
  /**
   * A plain teaching role: context Instructor (neither a TA sub-role nor the plain Instructor that
   * comes with one), Administrator, ContentDeveloper, or an institution/system admin when they count.
   */
  teacher: boolean;
  /** A TA role and no plain teaching role. */
  teachingAssistant: boolean;
  learner: boolean;
}

function parseAll(roles: readonly unknown[] | undefined): ParsedRole[] {
  return (roles ?? [])
    .filter((r): r is string => typeof r === 'string')
    .map(parseRole)
    .filter((r): r is ParsedRole => r !== undefined);
}

export function roleFacts(roles: readonly unknown[] | undefined, options: RoleMappingOptions = {}): RoleFacts {
  const parsed = parseAll(roles);
  const admins = options.administratorsAreTeachers ?? true;
  const assistant = parsed.some(isTeachingAssistantRole);
  // Canvas sends a TA as the TA sub-role *and* plain membership#Instructor, the sub-role's
  // principal role (canvas-lms Lti::SubstitutionsHelper LIS_V2_LTI_ADVANTAGE_ROLE_MAP, TaEnrollment):
  // next to a TA sub-role, a plain Instructor says nothing more.
  const impliedByAssistant = (r: ParsedRole) => assistant && r.role === 'instructor' && r.subRole === undefined;
  const teacher = parsed.some(
    (r) =>
      (r.scope === 'context' && TEACHER_CONTEXT_ROLES.has(r.role) && !isTeachingAssistantRole(r) && !impliedByAssistant(r)) ||
      (admins && r.scope !== 'context' && ADMIN_ROLES.has(r.role)),
  );
  return {
    teacher,
    teachingAssistant: !teacher && assistant,
    learner: parsed.some((r) => r.scope === 'context' && STUDENT_CONTEXT_ROLES.has(r.role)),
  };
}

/** True when the activity's teaching-assistant setting decides this launch's role. */
export function isTeachingAssistant(roles: readonly unknown[] | undefined, options: RoleMappingOptions = {}): boolean {
  return roleFacts(roles, options).teachingAssistant;
}

/**
 * The tool role of a launch (or of an NRPS member). Without a `teachingAssistants` option the
 * default setting applies: that is also the member's course role (who is on the take list),
 * which no activity's setting changes.
 */
export function mapRoles(roles: readonly unknown[] | undefined, options: RoleMappingOptions = {}): ToolRole {
  const facts = roleFacts(roles, options);
  if (facts.teacher) return 'teacher';
  if (facts.teachingAssistant) {
    const policy = options.teachingAssistants ?? DEFAULT_TEACHING_ASSISTANT_POLICY;
    if (policy === 'all' || (policy === 'except_students' && !facts.learner)) return 'teacher';
    return 'student';
  }
  if (facts.learner) return 'student';
  return 'limited';
}
