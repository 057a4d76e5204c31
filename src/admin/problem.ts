import type { Response } from 'express';

/**
 * RFC 9457 problem details, the administration API's only error shape (and /metrics's 401/429):
 * `{ type, title, status, detail, ... }` as `application/problem+json`. Validation problems add
 * `errors: [{ field, pointer, detail }]`, each naming one input field (pointer: RFC 6901 into the body).
 */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'about:blank', title, status, detail, ...extra };
}

export function sendProblem(res: Response, body: Record<string, unknown>): void {
  res.status(body.status as number).type('application/problem+json').send(JSON.stringify(body));
}

export interface FieldError {
  field: string;
  pointer: string;
  detail: string;
}

/** RFC 6901: `~` and `/` inside a reference token. */
export const escapePointer = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

export const pointerTo = (path: ReadonlyArray<string | number>): string => path.map((t) => `/${escapePointer(String(t))}`).join('');

/** 400 with one entry per wrong field; `where` says whether the fields are in the body or the query. */
export function invalidInput(errors: FieldError[], where: 'body' | 'query'): Record<string, unknown> {
  const n = errors.length;
  return problem(400, 'Bad Request', `${n} problem${n === 1 ? '' : 's'} in the request ${where}; nothing was changed.`, { errors });
}
