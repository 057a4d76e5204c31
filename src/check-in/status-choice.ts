/**
 * Which status a self check-in records. Two modes (SelfMarkingSettings.statusMode):
 * - 'auto': the time decides, Present until start + lateAfterMinutes, then Late;
 * - 'choose': the student picks among the statuses the teacher made pickable at that moment.
 */
import type { StudentPick } from '../status-sets/status-rules';

export interface CheckInStatus {
  id: string;
  acronym: string;
  order: number;
  visible: boolean;
  studentPick: StudentPick;
}

const byOrder = (a: CheckInStatus, b: CheckInStatus) => a.order - b.order;

/**
 * 'within' N minutes means strictly before start + N: at 9:10:00 a "within 10 minutes" status
 * of a 9:00 meeting is gone. Before the start (the window may open early) it is available.
 * Hidden statuses are retired by the teacher and never offered. Sorted by the set's order.
 */
export function allowedStatuses(
  statuses: readonly CheckInStatus[],
  sessionStart: Date,
  nowMs: number,
): CheckInStatus[] {
  const startMs = sessionStart.getTime();
  const pickable = (pick: StudentPick): boolean => {
    if (pick.mode === 'always') return true;
    if (pick.mode === 'within') return pick.minutes !== undefined && nowMs < startMs + pick.minutes * 60_000;
    return false;
  };
  return statuses.filter((s) => s.visible && pickable(s.studentPick)).sort(byOrder);
}

const hasAcronym = (status: CheckInStatus, acronym: string) => status.acronym.trim().toUpperCase() === acronym;

/**
 * 'auto' mode. Present is still given at exactly start + lateAfterMinutes (inclusive: "late
 * after 10 minutes" means 9:10:00 is on time), Late from the next millisecond.
 *
 * Statuses are found by acronym P and L (mod_attendance's defaults; case-insensitive). A set that
 * renamed them falls back to order: Present = the first visible status, Late = the first visible
 * status that is not the one used for Present (the second one when P is first). studentPick does
 * not apply here: it limits what a student may *choose*, and in this mode the student chooses
 * nothing. undefined when the set has no status for the case (e.g. one visible status, late).
 */
export function automaticStatus(
  statuses: readonly CheckInStatus[],
  lateAfterMinutes: number,
  sessionStart: Date,
  nowMs: number,
): CheckInStatus | undefined {
  const visible = statuses.filter((s) => s.visible).sort(byOrder);
  const present = visible.find((s) => hasAcronym(s, 'P')) ?? visible[0];
  if (nowMs <= sessionStart.getTime() + lateAfterMinutes * 60_000) return present;
  return visible.find((s) => hasAcronym(s, 'L')) ?? visible.find((s) => s !== present);
}
