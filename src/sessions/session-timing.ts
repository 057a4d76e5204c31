/**
 * Where a class meeting stands at a given instant. This is the ONE definition the Sessions list,
 * the teacher home and the student home share, so their counts agree (issue #14):
 *
 * - 'later': not started yet (now < start);
 * - 'now':   running (start <= now < end): attendance is being taken;
 * - 'past':  ended (end <= now), like the check-in window, which shuts on the minute.
 *
 * "Upcoming" = not ended = 'now' + 'later': a running session still counts as upcoming, because
 * attendance is still being taken during it. The homes show the 'now' ones in their own "Now"
 * card and call the next 'later' one "Next session".
 */

export type SessionTiming = 'later' | 'now' | 'past';

export interface Timed {
  startsAt: Date;
  durationMinutes: number;
}

/** The model's longest meeting (attendance-session.model.ts): bounds "still running" queries. */
export const LONGEST_SESSION_MINUTES = 1440;

export const endsAt = (s: Timed): Date => new Date(s.startsAt.getTime() + s.durationMinutes * 60_000);

export function timingOf(s: Timed, now: Date): SessionTiming {
  const nowMs = now.getTime();
  if (endsAt(s).getTime() <= nowMs) return 'past';
  return s.startsAt.getTime() <= nowMs ? 'now' : 'later';
}

/** Not ended yet: what the Sessions list's "Upcoming" view shows and the homes count. */
export const isUpcoming = (s: Timed, now: Date): boolean => timingOf(s, now) !== 'past';

export const isRunning = (s: Timed, now: Date): boolean => timingOf(s, now) === 'now';

/** No session that started before this instant can still be running. */
export const earliestStartNotEnded = (now: Date): Date => new Date(now.getTime() - LONGEST_SESSION_MINUTES * 60_000);
