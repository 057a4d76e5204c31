import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { MemberModel } from '../roster/member.model';
import { Locale, translator } from '../i18n/i18n';
import { EditConflict } from '../shared/edit-conflict';
import { Refusal } from '../shared/errors';
import { bumpVersion, EditStamp, Editor, stampOf, versionOf } from '../shared/versioned';
import { saveVersioned } from '../shared/versioned-update.service';
import { defaultStatuses } from './default-status-set';
import { StatusSetFieldProblems, StatusSetProblem } from './status-set-problem';
import { StatusSetModel } from './status-set.model';
import { isLastVisible, LIMITS, normaliseStatuses, PickMode, RuleErrors, StatusSetDraft, validateStatusSet, withoutStatus } from './status-rules';

/**
 * Use cases of the status-set pages. Every query is scoped by course and activity; a set or
 * status id from elsewhere is "not found". Each change is validated in full first and then
 * written with ONE update of the set document, so nothing is ever half-saved.
 */

export interface StoredStatus {
  _id: string;
  acronym: string;
  description: string;
  points: number;
  order: number;
  visible: boolean;
  excused: boolean;
  studentPick: { mode: PickMode; minutes?: number };
}

export interface StatusSetData {
  id: string;
  name: string;
  isDefault: boolean;
  autoStatusId: string | null;
  statuses: StoredStatus[];
  /** The edit page's version (0 for sets saved before versions existed) and who saved it last. */
  version?: number;
  lastEdit?: EditStamp;
}

/** A save from a stale edit page: the set as stored now, and the draft that was refused. */
export type StatusSetConflict = EditConflict<StatusSetData, StatusSetDraft>;

type SetDoc = NonNullable<Awaited<ReturnType<typeof findSetDoc>>>;

function findSetDoc(courseId: string, activityId: string, setId: string) {
  return StatusSetModel.findOne({ _id: setId, courseId, activityId }).lean();
}

function toData(doc: SetDoc): StatusSetData {
  const statuses = (doc.statuses ?? [])
    .map((s) => ({
      _id: s._id,
      acronym: s.acronym,
      description: s.description,
      points: s.points,
      order: s.order,
      visible: s.visible !== false,
      excused: s.excused === true,
      studentPick: {
        mode: (s.studentPick?.mode ?? 'never') as PickMode,
        ...(typeof s.studentPick?.minutes === 'number' ? { minutes: s.studentPick.minutes } : {}),
      },
    }))
    .sort((a, b) => a.order - b.order);
  return {
    id: doc._id, name: doc.name, isDefault: doc.isDefault ?? false, autoStatusId: doc.autoStatusId ?? null, statuses,
    version: versionOf(doc), lastEdit: stampOf(doc),
  };
}

async function requireSet(courseId: string, activityId: string, setId: string): Promise<StatusSetData> {
  const doc = await findSetDoc(courseId, activityId, setId);
  if (!doc) throw new Refusal('not_found', 'STATUS_SET_NOT_FOUND');
  return toData(doc);
}

export async function listSetsWithStatuses(courseId: string, activityId: string): Promise<StatusSetData[]> {
  const docs = await StatusSetModel.find({ courseId, activityId }).lean();
  return docs
    .map(toData)
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}

/** How many attendance records use each status of the set (0 = it may be deleted). */
async function usageOf(courseId: string, activityId: string, statuses: StoredStatus[]): Promise<Record<string, number>> {
  const counts = await Promise.all(
    statuses.map((s) => AttendanceRecordModel.countDocuments({ courseId, activityId, statusId: s._id })),
  );
  return Object.fromEntries(statuses.map((s, i) => [s._id, counts[i] ?? 0]));
}

export async function loadSetForEdit(
  courseId: string,
  activityId: string,
  setId: string,
): Promise<{ set: StatusSetData; usage: Record<string, number> }> {
  const set = await requireSet(courseId, activityId, setId);
  return { set, usage: await usageOf(courseId, activityId, set.statuses) };
}

async function nameTaken(courseId: string, activityId: string, name: string, exceptSetId?: string): Promise<boolean> {
  const sets = await StatusSetModel.find({ courseId, activityId }, { name: 1 }).lean();
  const wanted = name.trim().toLocaleLowerCase();
  return sets.some((s) => s._id !== exceptSetId && s.name.trim().toLocaleLowerCase() === wanted);
}

async function assertNameFree(courseId: string, activityId: string, name: string, exceptSetId?: string): Promise<void> {
  if (await nameTaken(courseId, activityId, name, exceptSetId)) throw new StatusSetProblem('status_sets.errors.name_taken', 400, {}, 'name');
}

/**
 * Every field problem of a save in one pass: those the form's parsing found, the set's rules
 * (again: the service trusts no caller) and a name another set has. The first problem of a field wins.
 */
async function saveProblems(courseId: string, activityId: string, setId: string, draft: StatusSetDraft, formErrors: RuleErrors): Promise<RuleErrors> {
  const errors: RuleErrors = { ...formErrors };
  for (const [field, key] of Object.entries(validateStatusSet(draft))) errors[field] ??= key;
  if (draft.name !== '' && await nameTaken(courseId, activityId, draft.name, setId)) errors.name ??= 'status_sets.errors.name_taken';
  return errors;
}

/** A new set starts as a copy of mod_attendance's P/L/E/A with fresh ids, in the teacher's language. */
export async function createStatusSet(courseId: string, activityId: string, name: string, locale: Locale): Promise<string> {
  const count = await StatusSetModel.countDocuments({ courseId, activityId });
  if (count >= LIMITS.setsMax) throw new StatusSetProblem('status_sets.errors.too_many_sets', 409, {}, 'name');
  await assertNameFree(courseId, activityId, name);
  const t = translator(locale);
  const statuses = defaultStatuses(activityId).map(({ descriptionKey, ...s }) => ({ ...s, _id: randomUUID(), description: t(descriptionKey) }));
  const id = randomUUID();
  await StatusSetModel.create({
    _id: id,
    courseId,
    activityId,
    name: name.trim(),
    isDefault: false,
    statuses,
    autoStatusId: statuses.find((s) => s.acronym === 'A')?._id ?? null,
  });
  return id;
}

/** The form must describe exactly the stored statuses (plus new rows): anything else is stale or foreign. */
function assertSameStatuses(set: StatusSetData, draft: StatusSetDraft): void {
  const stored = new Set(set.statuses.map((s) => s._id));
  const submitted = draft.statuses.flatMap((s) => (s.id ? [s.id] : []));
  if (submitted.some((id) => !stored.has(id))) throw new Refusal('not_found', 'STATUS_NOT_IN_SET');
  if (new Set(submitted).size !== submitted.length || submitted.length !== stored.size) {
    throw new StatusSetProblem('status_sets.errors.stale', 409);
  }
}

const conflictWith = (set: StatusSetData, draft: StatusSetDraft): StatusSetConflict => new EditConflict(set, draft, set.version ?? 0, set.lastEdit);

/**
 * Saves name and every status at once, only if the set is still at the version the page was
 * rendered from; otherwise throws a StatusSetConflict. A stale page that no longer lists the
 * stored statuses is a conflict too. Field problems (with `formErrors`, those the form's parsing
 * found) are thrown together as StatusSetFieldProblems, before anything is written.
 */
export async function saveStatusSet(
  courseId: string, activityId: string, setId: string, draft: StatusSetDraft, guard: { expected: number; editor: Editor },
  formErrors: RuleErrors = {},
): Promise<void> {
  const set = await requireSet(courseId, activityId, setId);
  const problems = await saveProblems(courseId, activityId, setId, draft, formErrors);
  if (Object.keys(problems).length > 0) throw new StatusSetFieldProblems(problems);
  if ((set.version ?? 0) !== guard.expected) throw conflictWith(set, draft);
  assertSameStatuses(set, draft);
  const withIds = draft.statuses.map((s) => ({ ...s, id: s.id ?? randomUUID() }));
  const autoStatusId = draft.autoKey === null ? null : (withIds.find((s) => s.key === draft.autoKey)?.id ?? null);
  const statuses = normaliseStatuses(withIds).map(({ id, acronym, description, points, order, visible, excused, studentPick }) => ({
    _id: id,
    acronym,
    description,
    points,
    order,
    visible,
    excused: excused === true,
    studentPick,
  }));
  await saveVersioned(
    { model: StatusSetModel, scope: { _id: setId, courseId, activityId }, expected: guard.expected, editor: guard.editor, set: { name: draft.name.trim(), statuses, autoStatusId } },
    () => new Refusal('not_found', 'STATUS_SET_NOT_FOUND'),
    async () => conflictWith(await requireSet(courseId, activityId, setId), draft),
  );
  await announceGrades(courseId, activityId);
}

/** Deletes a status no record uses; one in use must be hidden instead (its marks stay meaningful). */
export async function deleteStatus(courseId: string, activityId: string, setId: string, statusId: string, editor?: Editor): Promise<{ acronym: string }> {
  const set = await requireSet(courseId, activityId, setId);
  const status = set.statuses.find((s) => s._id === statusId);
  if (!status) throw new Refusal('not_found', 'STATUS_NOT_IN_SET');
  const used = await AttendanceRecordModel.countDocuments({ courseId, activityId, statusId });
  if (used > 0) throw new StatusSetProblem('status_sets.errors.status_in_use', 409, { acronym: status.acronym, count: used });
  if (isLastVisible(set.statuses, statusId)) {
    throw new StatusSetProblem('status_sets.errors.last_visible', 409, { acronym: status.acronym });
  }
  const next = withoutStatus(set.statuses, set.autoStatusId, statusId);
  // A change of the set like any other: edit pages opened before it are stale now.
  const bump = bumpVersion(editor);
  await StatusSetModel.updateOne({ _id: setId, courseId, activityId }, { $set: { ...next, ...bump.$set }, $inc: bump.$inc });
  await announceGrades(courseId, activityId); // the set's best points may have changed
  return { acronym: status.acronym };
}

/** The default set and sets that sessions or records use stay; anything else may go. */
export async function deleteStatusSet(courseId: string, activityId: string, setId: string): Promise<{ name: string }> {
  const set = await requireSet(courseId, activityId, setId);
  if (set.isDefault) throw new StatusSetProblem('status_sets.errors.set_is_default', 409);
  // Sessions are another feature's collection; only their count matters here.
  const sessions = await mongoose.connection.collection('attendance_sessions').countDocuments({ activityId, statusSetId: setId });
  if (sessions > 0) throw new StatusSetProblem('status_sets.errors.set_used_by_sessions', 409, { count: sessions });
  const statusIds = set.statuses.map((s) => s._id);
  const records = await AttendanceRecordModel.countDocuments({ courseId, activityId, statusId: { $in: statusIds } });
  if (records > 0) throw new StatusSetProblem('status_sets.errors.set_used_by_records', 409, { count: records });
  await StatusSetModel.deleteOne({ _id: setId, courseId, activityId, isDefault: { $ne: true } });
  return { name: set.name };
}

/** Points, excused flags and the automatic status feed every student's grade (inactive ones keep their records). */
async function announceGrades(courseId: string, activityId: string): Promise<void> {
  try {
    const students = await MemberModel.find({ courseId, role: 'student' }, { _id: 0, userId: 1 }).lean<Array<{ userId: string }>>();
    await onAttendanceChanged(courseId, activityId, students.map((s) => s.userId));
  } catch {
    // The set is saved; the grade-sync listener logs its own failures.
  }
}
