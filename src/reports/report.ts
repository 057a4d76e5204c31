/**
 * The attendance report of an activity as numbers, pure: one row per student with a cell per
 * session and the grade rule's summary, and one summary per session. The report page, the
 * exports and the student's own view all start from this, so they always agree.
 */
import { countedStatus, GradeOptions, GradeSummary, RuleSet, RuleStatus, StudentSession, summarize } from '../grading/grade-rule';

export interface ReportStudent {
  userId: string;
  givenName: string;
  familyName: string;
  name: string;
  email?: string;
  username?: string;
  /** Still in the course (inactive students keep their records). */
  active: boolean;
  /** When the tool first knew them: sessions that ended before do not count as unmarked for them. */
  joinedAt?: Date;
}

export interface ReportSession {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  description: string;
  audience: { kind: 'all' | 'group'; groupId?: string };
  statusSetId: string;
}

/** Who made a mark, when it was not simply the teacher's: the student's check-in, or automatic marking. */
export type MarkOrigin = 'self' | 'auto';

export interface ReportRecord { sessionId: string; userId: string; statusId: string; remark: string; origin?: MarkOrigin }

export interface ReportStatus extends RuleStatus { acronym: string; description: string; order: number }

export interface ReportStatusSet extends RuleSet { id: string; statuses: ReportStatus[] }

export interface ReportInput {
  students: ReportStudent[];
  sessions: ReportSession[];
  records: ReportRecord[];
  sets: ReportStatusSet[];
  /** Group id → member user ids (only groups used by the sessions are needed). */
  groups: ReadonlyMap<string, ReadonlySet<string>>;
  options: GradeOptions;
  now: Date;
}

export interface ReportCell {
  /** The recorded status, if any. */
  statusId?: string;
  remark?: string;
  /** The recorded mark came from the student's check-in or from automatic marking (else a teacher or an import). */
  origin?: MarkOrigin;
  /** The status that counts for the grade (recorded, or automatic for unmarked with the option on). */
  countedStatusId?: string;
  /** The session is for this student (all students, or their group, and not before they joined). */
  inAudience: boolean;
}

export interface ReportRow {
  student: ReportStudent;
  /** Aligned with Report.sessions. */
  cells: ReportCell[];
  summary: GradeSummary;
  /** summary.counts keyed by acronym (sets may share acronyms: P of two sets is one column). */
  countsByAcronym: Record<string, number>;
}

export interface SessionSummary {
  sessionId: string;
  ended: boolean;
  /** Students of the report this session is for, plus any with a record (e.g. who left its group). */
  expected: number;
  marked: number;
  unmarked: number;
  countsByAcronym: Record<string, number>;
}

export interface Report {
  sessions: ReportSession[];
  rows: ReportRow[];
  sessionSummaries: SessionSummary[];
  /** Every acronym in use, in status order (first set's order wins), for count columns and legends. */
  acronyms: string[];
  statusById: ReadonlyMap<string, ReportStatus>;
}

export const endsAt = (s: Pick<ReportSession, 'startsAt' | 'durationMinutes'>) => s.startsAt.getTime() + s.durationMinutes * 60_000;

function inAudience(session: ReportSession, student: ReportStudent, groups: ReportInput['groups']): boolean {
  if (student.joinedAt && endsAt(session) <= student.joinedAt.getTime()) return false;
  if (session.audience.kind === 'all') return true;
  return groups.get(session.audience.groupId ?? '')?.has(student.userId) ?? false;
}

function acronymsOf(sets: ReportStatusSet[]): string[] {
  const seen = new Map<string, number>();
  for (const set of sets) for (const s of set.statuses) if (!seen.has(s.acronym)) seen.set(s.acronym, s.order);
  return [...seen.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([a]) => a);
}

function byAcronym(counts: Record<string, number>, statusById: ReadonlyMap<string, ReportStatus>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, n] of Object.entries(counts)) {
    const acronym = statusById.get(id)?.acronym ?? '?';
    out[acronym] = (out[acronym] ?? 0) + n;
  }
  return out;
}

export function buildReport(input: ReportInput): Report {
  const sessions = [...input.sessions].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id.localeCompare(b.id));
  const sets = new Map(input.sets.map((s) => [s.id, s]));
  const statusById = new Map(input.sets.flatMap((set) => set.statuses.map((s) => [s.id, s] as const)));
  const bySession = new Map<string, Map<string, ReportRecord>>();
  for (const r of input.records) {
    const m = bySession.get(r.sessionId) ?? new Map<string, ReportRecord>();
    m.set(r.userId, r);
    bySession.set(r.sessionId, m);
  }
  const nowMs = input.now.getTime();
  const summaries = sessions.map((s) => ({ sessionId: s.id, ended: endsAt(s) <= nowMs, expected: 0, marked: 0, unmarked: 0, counts: {} as Record<string, number> }));
  const rows = input.students.map((student) => {
    const studentSessions: StudentSession[] = [];
    const cells = sessions.map((session, i) => {
      const record = bySession.get(session.id)?.get(student.userId);
      const audience = inAudience(session, student, input.groups);
      const sum = summaries[i]!;
      if (!audience && !record) return { inAudience: false };
      // Outside the audience only a record counts: `ended: false` keeps "unmarked as automatic" off.
      const ss: StudentSession = { statusSetId: session.statusSetId, ended: audience && sum.ended, statusId: record?.statusId };
      studentSessions.push(ss);
      const counted = countedStatus(ss, sets.get(session.statusSetId), input.options);
      // A leaver with a record counts as expected too, so marked + unmarked = expected.
      sum.expected += 1;
      if (record) {
        sum.marked += 1;
        sum.counts[record.statusId] = (sum.counts[record.statusId] ?? 0) + 1;
      } else sum.unmarked += 1;
      return { statusId: record?.statusId, remark: record?.remark, ...(record?.origin ? { origin: record.origin } : {}), countedStatusId: counted?.id, inAudience: audience };
    });
    const summary = summarize(studentSessions, sets, input.options);
    return { student, cells, summary, countsByAcronym: byAcronym(summary.counts, statusById) };
  });
  return {
    sessions,
    rows,
    sessionSummaries: summaries.map(({ counts, ...s }) => ({ ...s, countsByAcronym: byAcronym(counts, statusById) })),
    acronyms: acronymsOf(input.sets),
    statusById,
  };
}
