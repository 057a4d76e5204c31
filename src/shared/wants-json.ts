import type { Request } from 'express';

/** Scripts (fetch with a Bearer ltik) get JSON errors; browsers get pages. */
export function wantsJson(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  if (accept.includes('text/html')) return false;
  return accept.includes('application/json') || req.xhr || (req.headers.authorization ?? '').startsWith('Bearer ');
}
