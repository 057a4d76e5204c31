import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { LastChange } from './take-changes.service';
import { ConflictChoice, RowValue, sameValue } from './take-rules';

/**
 * A conflict row of the take page: a student changed elsewhere while the page was open. Says who
 * changed it, when (in the activity's time zone) and to what, beside this page's value, and
 * offers "keep theirs / use mine" (issue #13).
 */

export interface ConflictView {
  badge: string;
  /** "Changed by Jānis Ozols at 10:42 to P · Present, remark “…”." */
  what: string;
  /** "You chose L · Late." or, for a row the teacher left alone, "This page showed L · Late." */
  mine: string;
  legend: string;
  keepLabel: string;
  useLabel: string;
  choice: ConflictChoice;
  /** For take.js: the row's inputs follow the choice. '' status = unmarked. */
  theirs: RowValue;
  mineValue: RowValue;
}

export interface ConflictFacts {
  /** What is stored now (null: no record); the form carries it as the row's shown value. */
  theirs: RowValue | null;
  mine: RowValue;
  edited: boolean;
  choice: ConflictChoice;
  /** The latest audit entry; it explains who and when only if it led to what is stored. */
  change?: LastChange;
}

export interface ConflictContext {
  t: Translate;
  locale: Locale;
  zone: string;
  now: Date;
  /** The teacher looking at the page: their own change from another window reads "you". */
  selfId: string;
  /** "P · Present" for a status id. */
  statusLabel: (statusId: string) => string;
}

const dayKey = (at: Date, zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** "10:42" today, "2 Mar, 10:42" another day: in the activity's zone. */
function when(at: Date, ctx: ConflictContext): string {
  const sameDay = dayKey(at, ctx.zone) === dayKey(ctx.now, ctx.zone);
  return new Intl.DateTimeFormat(formatLocale(ctx.locale), {
    timeZone: ctx.zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
  }).format(at);
}

/** A value in a sentence; "no remark" only where the other side has one. */
function valueText(value: RowValue | null, other: RowValue | null, ctx: ConflictContext): string {
  if (!value) return ctx.t('attendance.conflict.unmarked');
  const status = ctx.statusLabel(value.statusId);
  if (value.remark) return ctx.t('attendance.conflict.value_remark', { status, remark: value.remark });
  return other?.remark ? ctx.t('attendance.conflict.value_no_remark', { status }) : status;
}

function whatText(f: ConflictFacts, theirs: string, ctx: ConflictContext): string {
  const { t } = ctx;
  const change = f.change && sameValue(f.change.to, f.theirs) ? f.change : undefined;
  if (!change) return t('attendance.conflict.by_unknown', { theirs });
  const time = when(change.at, ctx);
  if (change.source === 'self') return t('attendance.conflict.by_self', { time, theirs });
  if (change.source === 'auto') return t('attendance.conflict.by_auto', { time, theirs });
  if (change.source === 'import') return t('attendance.conflict.by_import', { time, theirs });
  if (change.actorId === ctx.selfId) return t('attendance.conflict.by_you', { time, theirs });
  return t('attendance.conflict.by_person', { name: change.actorName ?? change.actorId, time, theirs });
}

export function toConflictView(f: ConflictFacts, name: string, ctx: ConflictContext): ConflictView {
  const { t } = ctx;
  const theirs = valueText(f.theirs, f.mine, ctx);
  const mine = valueText(f.mine, f.theirs, ctx);
  return {
    badge: t('attendance.conflict.badge'),
    what: whatText(f, theirs, ctx),
    mine: t(f.edited ? 'attendance.conflict.you_chose' : 'attendance.conflict.page_showed', { mine }),
    legend: t('attendance.conflict.legend', { name }),
    keepLabel: t('attendance.conflict.keep_theirs', { value: f.theirs ? ctx.statusLabel(f.theirs.statusId) : t('attendance.conflict.unmarked') }),
    useLabel: t('attendance.conflict.use_mine', { value: ctx.statusLabel(f.mine.statusId) }),
    choice: f.choice,
    theirs: f.theirs ?? { statusId: '', remark: '' },
    mineValue: f.mine,
  };
}

/** The summary above the list: what was saved, and how many conflicts wait for a decision. */
export function conflictFlash(t: Translate, saved: number, conflicts: number): string {
  const savedText = saved > 0 ? t('attendance.flash.saved', { count: saved }) : t('attendance.conflict.nothing_saved');
  return `${savedText} ${t('attendance.conflict.summary', { count: conflicts })}`;
}
