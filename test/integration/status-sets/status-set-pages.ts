import { courseKey } from '../../../src/courses/keys';
import { withLtik } from '../../../src/shared/links';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import type { LaunchOptions } from '../../support/mock-lms';
import { finalPath, TestHarness } from '../../support/tool';

/** Helpers shared by the status-set integration tests: a teacher's launch and the edit form. */

export type Fields = Record<string, string>;

/** A launch into its own course, with helpers that drive the status-set pages. */
export async function launchIntoCourse(h: TestHarness, context: string, opts: LaunchOptions = {}) {
  const r = await h.lms.launch({ role: 'Instructor', context: { id: context }, resourceLink: { id: `rl-${context}` }, ...opts });
  const activityId = /^\/activity\/([^/?]+)\//.exec(finalPath(r.res))?.[1] ?? '';
  const ltik = r.ltik ?? '';
  const base = `/activity/${activityId}/teacher/status-sets`;
  return {
    ...r,
    ltik,
    activityId,
    courseId: courseKey(h.lms.issuer, h.lms.clientId, context, `rl-${context}`),
    base,
    get: (path: string) => r.agent.get(withLtik(path, ltik)),
    post: (path: string, fields: Record<string, unknown> = {}) => r.agent.post(path).type('form').send({ ltik, ...fields }),
    /** Follows a 303 to the GET page the teacher lands on. */
    follow: (res: { status: number; headers: Record<string, string> }) => r.agent.get(res.headers.location ?? ''),
  };
}

export async function setsOf(activityId: string) {
  return StatusSetModel.find({ activityId }).sort({ isDefault: -1, createdAt: 1 }).lean();
}

export async function defaultSet(activityId: string) {
  const set = await StatusSetModel.findOne({ activityId, isDefault: true }).lean();
  if (!set) throw new Error('no default set');
  return set;
}

/**
 * The edit form as the page sends it, from the stored set, with per-acronym changes and extra rows.
 * Like the page, it carries the version of the set it was made from (src/shared/versioned.ts).
 */
export function editForm(
  set: Awaited<ReturnType<typeof defaultSet>>,
  changes: Record<string, Fields | 'hide'> = {},
  extra: { rows?: Fields[]; fields?: Fields } = {},
): Fields {
  const out: Fields = { name: set.name, autoStatus: 'none', version: String(set.version ?? 0) };
  const rows: Fields[] = set.statuses.map((s) => {
    const row: Fields = {
      id: s._id, acronym: s.acronym, description: s.description, points: String(s.points), order: String(s.order),
      visible: '1', pickMode: s.studentPick?.mode ?? 'never', pickMinutes: s.studentPick?.minutes ? String(s.studentPick.minutes) : '',
      // A ticked checkbox is sent, an unticked one is not (as the browser does).
      ...(s.excused ? { excused: '1' } : {}),
    };
    const change = changes[s.acronym];
    if (change === 'hide') delete row.visible;
    else if (change) Object.assign(row, change);
    return row;
  });
  set.statuses.forEach((s, i) => {
    if (s._id === set.autoStatusId) out.autoStatus = String(i);
  });
  [...rows, ...(extra.rows ?? [])].forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) out[`statuses.${i}.${k}`] = v;
  });
  return { ...out, ...extra.fields };
}
