/**
 * When self check-in is open: from `opensMinutesBefore` before the start until the end of the
 * class meeting. Instants are compared in UTC milliseconds, so time zones and DST do not enter.
 */
export type CheckInWindowState = 'not_open' | 'open' | 'closed';

export interface CheckInWindow {
  state: CheckInWindowState;
  opensAt: Date;
  closesAt: Date;
}

/**
 * Opening is inclusive and closing exclusive: a check-in at exactly the end is refused, like a
 * door that shuts on the minute. A meeting of 0 minutes with no early opening is never open.
 */
export function checkInWindow(
  session: { startsAt: Date; durationMinutes: number },
  opensMinutesBefore: number,
  nowMs: number,
): CheckInWindow {
  const startMs = session.startsAt.getTime();
  const opensAt = new Date(startMs - opensMinutesBefore * 60_000);
  const closesAt = new Date(startMs + session.durationMinutes * 60_000);
  let state: CheckInWindowState = 'open';
  if (nowMs < opensAt.getTime()) state = 'not_open';
  else if (nowMs >= closesAt.getTime()) state = 'closed';
  return { state, opensAt, closesAt };
}
