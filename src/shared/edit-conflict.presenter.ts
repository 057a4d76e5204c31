import type { Locale, Translate } from '../i18n/i18n';
import type { EditConflict } from './edit-conflict';

/** The view model of views/partials/edit-conflict.ejs, the same for every edit form. */

export interface ConflictField {
  label: string;
  /** As stored now (someone else's save). */
  theirs: string;
  /** As this user submitted it. */
  mine: string;
}

export interface ConflictView {
  who: string;
  rows: Array<ConflictField & { changed: boolean }>;
  /** Reloads the form with the stored values ("use the saved version"). */
  theirsHref: string;
  /** The id of the page's form, which holds the user's values and the new version ("keep mine"). */
  formId: string;
}

export interface ConflictContext {
  t: Translate;
  locale: Locale;
  timezone: string;
  /** The user looking at the page: their own other tab is named as such. */
  viewerId: string;
}

function whoChanged(conflict: EditConflict, ctx: ConflictContext): string {
  const stamp = conflict.lastEdit;
  if (!stamp) return ctx.t('edit_conflict.by_unknown');
  const when = new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: ctx.timezone }).format(stamp.at);
  if (stamp.by === ctx.viewerId) return ctx.t('edit_conflict.by_you', { when });
  return ctx.t('edit_conflict.by_other', { name: stamp.name || stamp.by, when });
}

export function toConflictView(
  conflict: EditConflict,
  fields: ConflictField[],
  links: { theirsHref: string; formId: string },
  ctx: ConflictContext,
): ConflictView {
  const shown = (v: string) => (v.trim() === '' ? ctx.t('edit_conflict.empty') : v);
  return {
    who: whoChanged(conflict, ctx),
    rows: fields.map((f) => ({ label: f.label, theirs: shown(f.theirs), mine: shown(f.mine), changed: f.theirs !== f.mine })),
    ...links,
  };
}

/** A form whose fields have the same keys on both sides: the stored values and the posted ones. */
export interface FormConflict<K extends string, V> {
  /** [field key, i18n key of its label], in the form's order. */
  fields: ReadonlyArray<readonly [K, string]>;
  theirs: Record<K, V>;
  mine: Record<K, V>;
  /** What the teacher reads for a value: an option's label, Yes/No, … */
  show: (key: K, value: V) => string;
  links: { theirsHref: string; formId: string };
}

export function formConflictView<K extends string, V>(conflict: EditConflict, form: FormConflict<K, V>, ctx: ConflictContext): ConflictView {
  const rows = form.fields.map(([key, labelKey]) => ({ label: ctx.t(labelKey), theirs: form.show(key, form.theirs[key]), mine: form.show(key, form.mine[key]) }));
  return toConflictView(conflict, rows, form.links, ctx);
}
