import type { z } from 'zod';
import { platformInputSchema } from '../platforms/platform.schema';
import { type FieldError, pointerTo } from './problem';

/** Which registration: the same rules as when it was registered (platform.schema.ts). */
export const platformKeySchema = platformInputSchema.pick({ issuer: true, clientId: true }).strict();

/** A zod error as the API's field errors (pointers into the body, or the query parameter's name). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) => {
    // `.strict()` reports unknown keys in one issue: name each of them.
    const keys = i.code === 'unrecognized_keys' ? i.keys : [undefined];
    return keys.map((key) => {
      const path = key === undefined ? i.path.map(String) : [...i.path.map(String), key];
      return { field: path.join('.') || '(root)', pointer: pointerTo(path), detail: key === undefined ? i.message : 'is not a field of this request' };
    });
  });
}
