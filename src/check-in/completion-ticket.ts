import { signToken, verifyToken } from './signed-token';

/**
 * What the student home (inside the LMS, where our cookies may be blocked) hands to the
 * top-level completion page: the launch's identity, signed and short-lived. It lets the bearer
 * complete a scan held on the same phone and pair that phone — no more than the student's own
 * LMS launch could do on that phone.
 */
export interface CompletionTicket {
  courseId: string;
  activityId: string;
  userId: string;
  locale: string;
}

export const TICKET_TTL_MS = 30 * 60_000;

export function issueTicket(key: Buffer, ticket: CompletionTicket, nowMs: number): string {
  return signToken(key, 'ticket', ticket, nowMs + TICKET_TTL_MS);
}

export function readTicket(key: Buffer, token: unknown, nowMs: number): CompletionTicket | undefined {
  const t = verifyToken<CompletionTicket>(key, 'ticket', token, nowMs);
  if (!t || typeof t.courseId !== 'string' || typeof t.activityId !== 'string' || typeof t.userId !== 'string') return undefined;
  return t;
}
