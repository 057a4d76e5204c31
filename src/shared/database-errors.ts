/**
 * The driver's and mongoose's ways of saying the database cannot be reached (connection refused,
 * server selection or buffering timed out, a closed pool). Their texts name internal addresses,
 * so such an error becomes the translated "temporarily unavailable" page, never its text. Pure.
 */
const DATABASE_DOWN = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|buffering timed out|Server selection timed out|MongoServerSelectionError|MongoNetworkError|MongoNotConnectedError|MongoPoolClearedError|connection .* (closed|timed out)|Topology is closed|client must be connected/i;

const DATABASE_ERROR_NAMES = new Set(['MongoServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoNotConnectedError', 'MongoPoolClearedError', 'MongoTopologyClosedError']);

export function isDatabaseDown(error: unknown): boolean {
  if (typeof error === 'string') return DATABASE_DOWN.test(error);
  if (!error || typeof error !== 'object') return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return (typeof name === 'string' && DATABASE_ERROR_NAMES.has(name)) || (typeof message === 'string' && DATABASE_DOWN.test(message));
}

/**
 * E11000: a unique index refused a write. Our atomic claims (leases, attempt slots, counters,
 * first check-ins) rely on it. FerretDB reports it on updates in the message only.
 */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 11000 || /E11000|duplicate key/i.test(String((err as { message?: unknown })?.message ?? ''));
}
