/**
 * The per-address limits count in fixed windows of real time (src/shared/rate-limit.service.ts).
 * A test that fills a window waits, if need be, until the next one has just begun, so that its
 * requests do not straddle two windows.
 */
export async function awayFromWindowEdge(windowMs = 600_000, marginMs = 10_000): Promise<void> {
  const toEdge = windowMs - (Date.now() % windowMs);
  if (toEdge < marginMs) await new Promise((resolve) => setTimeout(resolve, toEdge + 100));
}
