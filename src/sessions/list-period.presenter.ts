import { teacherLink } from '../courses/teacher-nav';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { ListPeriod, PeriodKind, periodLabel, switchAnchor } from './list-period';
import type { ListFilters } from './sessions.schema';

/** The ◀ ▶ period navigation above the sessions list: its label and links (each keeps the ltik and the filters). */

export interface PeriodNavView {
  kind: PeriodKind;
  /** Hidden fields the filter and bulk forms carry, so they come back to the same period. */
  fields: { period: PeriodKind; from: string };
  label: string;
  previous?: { href: string; label: string };
  next?: { href: string; label: string };
  current?: { href: string; label: string; isCurrent: boolean };
  switches: Array<{ kind: PeriodKind; href: string; label: string; selected: boolean }>;
}

/** Query string of the list with these filters and period ('' from = the period around today). */
export function periodQuery(filters: ListFilters, kind: PeriodKind, from?: string): string {
  const p = new URLSearchParams({ view: filters.view, by: filters.by, group: filters.group, period: kind });
  if (from) p.set('from', from);
  return p.toString();
}

export function toPeriodNav(input: { launch: LaunchContext; filters: ListFilters; period: ListPeriod; zone: string; t: Translate }): PeriodNavView {
  const { launch, filters, period, zone, t } = input;
  const href = (kind: PeriodKind, from?: string) => teacherLink(launch, 'sessions', `?${periodQuery(filters, kind, from)}`);
  const anchor = switchAnchor(period);
  const switches = (['week', 'month', 'all'] as const).map((kind) => ({
    kind, href: href(kind, kind === 'all' ? undefined : anchor), label: t(`sessions.period.switch_${kind}`), selected: period.kind === kind,
  }));
  if (period.kind === 'all') return { kind: 'all', fields: { period: 'all', from: '' }, label: t('sessions.period.all_label'), switches };
  const k = period.kind;
  return {
    kind: k,
    fields: { period: k, from: period.from },
    label: periodLabel(period, zone, formatLocale(launch.locale as Locale)),
    previous: { href: href(k, period.previous), label: t(`sessions.period.previous_${k}`) },
    next: { href: href(k, period.next), label: t(`sessions.period.next_${k}`) },
    current: { href: href(k), label: t(`sessions.period.this_${k}`), isCurrent: period.isCurrent },
    switches,
  };
}
