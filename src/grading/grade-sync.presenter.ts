import { DateTime } from 'luxon';
import { formatLocale, type Locale, type Translate } from '../i18n/i18n';
import { AGS_FAILURE_REASONS } from '../lti/lti-services';
import type { SyncProblem, SyncStatus } from './grade-sync-panel.service';

/** The Grade sync panel's view model: every string translated, every date in the activity's zone. */

export interface SyncProblemView {
  userId: string;
  name: string;
  message: string;
  /** "The LMS said: “Invalid token signature.”" when the LMS explained itself. Plain text: the template escapes it. */
  lmsSaid?: string;
  when: string;
  attempts: number;
  next?: string;
}

export interface SyncView {
  pageTitle: string;
  gradeTypeNone: boolean;
  lineItem: string;
  /** How to give the activity its own gradebook column, when it has none (see columnNotLinked). */
  lineItemHint?: string;
  counts: Array<{ id: string; label: string; value: number }>;
  lastSuccess: string;
  lastError?: SyncProblemView;
  failed: SyncProblemView[];
  flash?: string;
  error?: string;
}

export interface SyncViewOptions {
  t: Translate;
  locale: Locale;
  query: Record<string, unknown>;
  error?: string;
}

const KNOWN = new Set<string>(AGS_FAILURE_REASONS);

function when(date: Date | undefined, timezone: string, locale: Locale): string {
  return date ? DateTime.fromJSDate(date, { zone: timezone }).setLocale(formatLocale(locale)).toLocaleString(DateTime.DATETIME_MED) : '';
}

/** "The LMS answered with an error (HTTP 503)." */
export function problemMessage(reason: string, status: number | undefined, t: Translate): string {
  const text = t(`grade_sync.errors.${KNOWN.has(reason) ? reason : 'unknown'}`);
  return status === undefined ? text : `${text} ${t('grade_sync.http_status', { status })}`;
}

function problemView(p: SyncProblem, timezone: string, o: SyncViewOptions): SyncProblemView {
  return {
    userId: p.userId, name: p.name, message: problemMessage(p.reason, p.status, o.t), when: when(p.at, timezone, o.locale), attempts: p.attempts,
    lmsSaid: p.lmsMessage ? o.t('grade_sync.lms_said', { message: p.lmsMessage }) : undefined,
    next: p.nextAttemptAt ? when(p.nextAttemptAt, timezone, o.locale) : undefined,
  };
}

const count = (v: unknown): number | undefined => (typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : undefined);

function flashOf(query: Record<string, unknown>, t: Translate): string | undefined {
  const retried = count(query.retried);
  if (retried !== undefined) return t('grade_sync.flash.retried', { count: retried });
  const resynced = count(query.resynced);
  return resynced === undefined ? undefined : t('grade_sync.flash.resynced', { count: resynced });
}

export function toSyncView(s: SyncStatus, o: SyncViewOptions): SyncView {
  const { t } = o;
  return {
    pageTitle: t('grade_sync.title'),
    gradeTypeNone: s.gradeType === 'none',
    lineItem: t(`grade_sync.line_item.${s.lineItem}`),
    lineItemHint: s.lineItemNotLinked ? t('grade_sync.line_item.not_linked') : undefined,
    counts: [
      { id: 'pending', label: t('grade_sync.counts.pending'), value: s.counts.pending },
      { id: 'failed', label: t('grade_sync.counts.failed'), value: s.counts.failed },
      { id: 'done', label: t('grade_sync.counts.done'), value: s.counts.done },
    ],
    lastSuccess: s.lastSuccessAt ? t('grade_sync.last_success', { when: when(s.lastSuccessAt, s.timezone, o.locale) }) : t('grade_sync.last_success_never'),
    lastError: s.lastError ? problemView(s.lastError, s.timezone, o) : undefined,
    failed: s.failed.map((p) => problemView(p, s.timezone, o)),
    flash: flashOf(o.query, t),
    error: o.error,
  };
}
