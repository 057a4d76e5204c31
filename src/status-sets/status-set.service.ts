import { translator, Locale } from '../i18n/i18n';
import { DEFAULT_SET_NAME_KEY, defaultSetId, defaultStatuses } from './default-status-set';
import { StatusSetModel } from './status-set.model';

/**
 * Seeds the default status set (P/L/E/A) of an activity on its first launch; idempotent and
 * race-safe (deterministic id + $setOnInsert). Descriptions use the launching person's language.
 */
export async function ensureDefaultStatusSet(courseId: string, activityId: string, locale: Locale = 'en'): Promise<void> {
  const t = translator(locale);
  const statuses = defaultStatuses(activityId).map(({ descriptionKey, ...s }) => ({ ...s, description: t(descriptionKey) }));
  const absent = statuses.find((s) => s.acronym === 'A');
  await StatusSetModel.updateOne(
    { _id: defaultSetId(activityId) },
    {
      $setOnInsert: { courseId, activityId, name: t(DEFAULT_SET_NAME_KEY), isDefault: true, statuses, autoStatusId: absent?._id ?? null },
    },
    { upsert: true },
  );
}
