/**
 * The one place where attendance changes reach grading. Taking attendance (and later check-in,
 * automatic marking, status point changes) calls `onAttendanceChanged` after its writes; the
 * grading feature subscribes at start-up and enqueues the affected students' grades.
 * An observer registry rather than a direct import keeps attendance free of grading code and
 * lets tests listen without probes in production code. No listener is registered by default.
 */
export type AttendanceChangedListener = (courseId: string, activityId: string, userIds: string[]) => Promise<void> | void;

const listeners = new Set<AttendanceChangedListener>();

/** Returns the unsubscribe function. */
export function subscribeAttendanceChanged(listener: AttendanceChangedListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/**
 * Awaits every listener. All of them run even if one fails; the first failure is then rethrown
 * so the caller can report it (the attendance itself is already saved by then).
 */
export async function onAttendanceChanged(courseId: string, activityId: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0 || listeners.size === 0) return;
  const results = await Promise.allSettled([...listeners].map(async (listener) => listener(courseId, activityId, [...userIds])));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
