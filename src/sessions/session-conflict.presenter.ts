import type { Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { teacherLink } from '../courses/teacher-nav';
import { ConflictView, formConflictView } from '../shared/edit-conflict.presenter';
import { FormValues, sessionValues } from './session-pages.presenter';
import type { FormOptions, SessionConflict } from './sessions.service';

/** The conflict panel of the session edit form: the session as saved now beside the teacher's form. */

export const SESSION_FORM_ID = 'session-form';

const FIELDS = [
  ['date', 'sessions.form.date'], ['startTime', 'sessions.form.start_time'], ['durationMinutes', 'sessions.form.duration'],
  ['audience', 'sessions.form.audience'], ['statusSetId', 'sessions.form.status_set'], ['description', 'sessions.form.description'],
] as const;
type Key = (typeof FIELDS)[number][0];

function shown(key: Key, value: string, options: FormOptions, t: Translate): string {
  if (key === 'audience') {
    if (value === 'all') return t('sessions.audience.all');
    const group = options.groups.find((g) => `group:${g.id}` === value);
    return group ? t('sessions.audience.group', { name: group.name }) : t('sessions.audience.unknown_group');
  }
  if (key === 'statusSetId') return options.statusSets.find((s) => s.id === value)?.name ?? value;
  return value;
}

const pick = (v: FormValues) => Object.fromEntries(FIELDS.map(([key]) => [key, v[key] ?? ''])) as Record<Key, string>;

export function sessionConflictView(conflict: SessionConflict, mine: FormValues, options: FormOptions, launch: LaunchContext, t: Translate): ConflictView {
  return formConflictView(conflict, {
    fields: FIELDS,
    theirs: pick(sessionValues(conflict.current, options.timezone)),
    mine: pick(mine),
    show: (key, value) => shown(key, value, options, t),
    links: { theirsHref: teacherLink(launch, 'sessions', `/${encodeURIComponent(conflict.current.id)}/edit`), formId: SESSION_FORM_ID },
  }, { t, locale: launch.locale, timezone: options.timezone, viewerId: launch.userId });
}
