import type { SessionRowView } from '../reports/student-view.presenter';

/**
 * The student home's "Now" card (issue #14). Pure. It lists the running sessions of the student's
 * audience (session-timing.ts) and any session whose check-in opened early, each with what the
 * student can do about it:
 *
 * - 'recorded': a record exists (the student checked in, or a teacher marked them): its status,
 *   never a second "Submit attendance";
 * - 'submit': self-marking is open and nothing is recorded: the check-in form (and a QR completion);
 * - 'waiting': running, nothing recorded and no check-in open: "Not marked yet".
 */

/** One open check-in of the home, already linked (home.routes.ts `openView`). */
export interface OpenEntry {
  id: string;
  when: string;
  description: string;
  href: string;
  completeHref?: string;
  held: boolean;
}

export interface StudentNowItem {
  state: 'submit' | 'recorded' | 'waiting';
  when: string;
  description: string;
  group: string;
  acronym: string;
  statusDescription: string;
  hint: string;
  note: string;
  href?: string;
  completeHref?: string;
  held: boolean;
}

function item(row: SessionRowView, open: OpenEntry | undefined): StudentNowItem {
  const base = {
    when: row.when, description: row.description, group: row.group, acronym: row.acronym, statusDescription: row.statusDescription,
    hint: row.hint, note: row.note, held: false,
  };
  if (row.recorded) return { ...base, state: 'recorded' };
  if (open) return { ...base, state: 'submit', href: open.href, completeHref: open.completeHref, held: open.held };
  return { ...base, state: 'waiting' };
}

/**
 * `rows` are the student's own sessions (running ones in `now`, not started ones in `upcoming`);
 * `open` the check-ins open for them now. Running sessions come first, soonest start first, then
 * sessions opening early; an open check-in missing from the rows still gets its button.
 */
export function toStudentNowCard(rows: { now: SessionRowView[]; upcoming: SessionRowView[] }, open: OpenEntry[]): StudentNowItem[] {
  const openById = new Map(open.map((o) => [o.id, o]));
  const listed = [...rows.now, ...rows.upcoming.filter((r) => openById.has(r.id))];
  const seen = new Set(listed.map((r) => r.id));
  const orphans = open.filter((o) => !seen.has(o.id)).map((o): StudentNowItem => ({
    state: 'submit', when: o.when, description: o.description, group: '', acronym: '', statusDescription: '', hint: '', note: '',
    href: o.href, completeHref: o.completeHref, held: o.held,
  }));
  return [...listed.map((r) => item(r, openById.get(r.id))), ...orphans];
}
