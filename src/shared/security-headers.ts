import type { Express } from 'express';

/**
 * Our helmet (in app.ts) decides the security headers. ltijs runs its own helmet 6 on every
 * route behind it, which would overwrite several of them with other values (HSTS of 180 days
 * instead of one year, Referrer-Policy no-referrer, COEP require-corp that breaks embedding).
 * Its layer is taken out of ltijs's express app (given as ltijs's server add-on, which runs
 * right after ltijs mounted its middleware): every route answers with our policy, and no
 * request pays for a dozen header middlewares twice. An ltijs release that no longer mounts
 * helmet this way is noticed at start-up, not by a header test weeks later.
 */
export function dropLtijsHelmet(app: Express): void {
  const router = (app as unknown as { _router?: { stack: Array<{ name?: string }> } })._router;
  const stack = router?.stack ?? [];
  const before = stack.length;
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]?.name === 'helmetMiddleware') stack.splice(i, 1);
  if (stack.length !== before - 1) throw new Error('ltijs: expected exactly one helmet layer in its express app; re-check src/shared/security-headers.ts against the installed ltijs');
}
