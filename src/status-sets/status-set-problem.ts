import type { Vars } from '../i18n/i18n';
import { DomainError } from '../shared/errors';

/**
 * A refusal the status-set pages show on the form itself (not on an error page): either next
 * to one field (`field`, e.g. a taken name) or as the page's alert (a status still in use).
 */
export class StatusSetProblem extends DomainError {
  constructor(
    messageKey: string,
    status: 400 | 409,
    vars: Vars = {},
    readonly field?: string,
  ) {
    super(messageKey, status, vars);
    this.name = 'StatusSetProblem';
  }
}

/**
 * Every field problem of one save, found in one pass (the form's cells, the set's rules, a name
 * another set has), as { field: i18n key }: the page shows each beside its field.
 */
export class StatusSetFieldProblems extends StatusSetProblem {
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super('form.invalid', 400);
    this.name = 'StatusSetFieldProblems';
  }
}
