import { z } from 'zod';

/**
 * The hidden version field of an edit form. Absent (a page rendered before versions existed,
 * when every document was at 0) reads as 0; anything malformed reads as -1, which matches no
 * document, so the save ends on the conflict page with the user's values kept.
 */
const versionField = z
  .union([z.undefined(), z.literal(''), z.string().regex(/^\d{1,9}$/)])
  .transform((v) => (v ? Number(v) : 0))
  .catch(-1);

export function formVersion(body: unknown, field = 'version'): number {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  return versionField.parse(value);
}
