import { Provider } from 'ltijs';
import { LtiServiceError, type AgsFailureReason, type ServiceEndpoints } from './lti-services';

/**
 * What the AGS and NRPS adapters share: access tokens from ltijs (signed client_assertion,
 * cached per scope string in ltijs's database, rebuilt from the endpoints stored on the
 * Activity so background jobs need no live launch), one authorized HTTP exchange that retries
 * once with a fresh token, a deadline for a whole call, and the classification of failures.
 *
 * Why a 403 gets the fresh-token retry as well as a 401: RFC 6750 wants 401 for a token the
 * server no longer accepts, but Open edX answers 403 {"detail": "Invalid token signature."}
 * once an admin rotates a block's key, while the tool still holds a token cached for an hour.
 * Only the second refusal, with a token the LMS has just issued, counts.
 */

export interface AccessToken { access_token: string; token_type: string }

/** Where access tokens come from; unit tests pass their own. */
export interface TokenSource {
  get(endpoints: ServiceEndpoints, scopes: string): Promise<AccessToken>;
  /** Drops a cached token the LMS refused (401/403), so the next get() asks the LMS again. */
  invalidate(endpoints: ServiceEndpoints, scopes: string): Promise<void>;
}

export const ltijsTokens: TokenSource = {
  async get(endpoints, scopes) {
    const platform = await Provider.getPlatform(endpoints.issuer, endpoints.clientId);
    if (!platform) throw new LtiServiceError('platform_unknown');
    if (!(await platform.platformActive())) throw new LtiServiceError('platform_inactive');
    return platform.platformAccessToken(scopes);
  },
  async invalidate(endpoints, scopes) {
    await Provider.Database.Delete('accesstoken', { platformUrl: endpoints.issuer, clientId: endpoints.clientId, scopes });
  },
};

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ServiceRequest { method: 'GET' | 'POST'; url: string; scopes: string; accept: string; contentType?: string; body?: unknown }

/** Statuses that may mean "your token is stale": answered by dropping it and trying once more. */
const STALE_TOKEN_STATUSES = new Set([401, 403]);

/**
 * One HTTP exchange with the LMS. A 401 or 403 drops the cached token and repeats the request
 * once with a new one; whatever the second answer is, it is returned (never a third try).
 */
export function authorizedSender(doFetch: FetchLike, tokens: TokenSource) {
  return async function send(endpoints: ServiceEndpoints, req: ServiceRequest, signal: AbortSignal): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.get(endpoints, req.scopes);
      const res = await doFetch(req.url, {
        method: req.method,
        signal,
        headers: {
          Authorization: `${token.token_type} ${token.access_token}`,
          Accept: req.accept,
          ...(req.contentType ? { 'Content-Type': req.contentType } : {}),
        },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      });
      if (!STALE_TOKEN_STATUSES.has(res.status) || attempt > 0) return res;
      await res.body?.cancel();
      await tokens.invalidate(endpoints, req.scopes);
    }
  };
}

/** The rel="next" URL of a Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m?.[1] && /rel="?([^"]*\s)?next(\s[^"]*)?"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

export const fail = (reason: AgsFailureReason, status?: number, cause?: unknown, lmsMessage?: string): LtiServiceError => {
  const err = new LtiServiceError(reason, status, lmsMessage);
  if (cause !== undefined) err.cause = cause;
  return err;
};

/** A non-2xx answer as `reason`, with the LMS's own message (if it gave a readable one). */
export function failureWithBody(reason: AgsFailureReason, status: number, body: string): LtiServiceError {
  const cause = body ? `HTTP ${status}: ${body.slice(0, 300)}` : `HTTP ${status}`;
  return fail(reason, status, cause, lmsMessage(body));
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);

/** What fetch, ltijs or its HTTP client (got 11) threw, as one of our reasons. */
export function classify(err: unknown): LtiServiceError {
  if (err instanceof LtiServiceError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; code?: string; cause?: { code?: string }; response?: { statusCode?: number; body?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT') return fail('timeout', undefined, err);
  if (e.message === 'PLATFORM_NOT_FOUND') return fail('platform_unknown', undefined, err);
  if (e.message === 'PLATFORM_NOT_ACTIVATED') return fail('platform_inactive', undefined, err);
  // got's HTTPError: the only got call left is ltijs's token request.
  if (e.name === 'HTTPError' && typeof e.response?.statusCode === 'number') {
    const body = e.response.body;
    return fail('token_refused', e.response.statusCode, err, typeof body === 'string' ? lmsMessage(body) : undefined);
  }
  if (e.name === 'ParseError' || err instanceof SyntaxError) return fail('bad_response', undefined, err);
  const code = e.code ?? e.cause?.code;
  if ((code !== undefined && NETWORK_CODES.has(code)) || e.name === 'RequestError' || (err instanceof TypeError && e.message === 'fetch failed')) {
    return fail('unreachable', undefined, err);
  }
  return fail('unknown', undefined, err);
}

/** Runs `fn` with an AbortSignal that fires, and a rejection with `timeout`, after `ms`. */
export async function withDeadline<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(fail('timeout', undefined, `${what} call took longer than ${ms} ms`));
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } catch (err) {
    throw classify(err);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- the LMS's own words

/** Longest LMS message kept (stored on the grade job, shown to teachers and admins). */
export const LMS_MESSAGE_MAX = 200;
/** A plain-text body longer than this is a page, not a message. */
const PLAIN_TEXT_MAX = 300;
/** Where LMSs put the human message: DRF/Open edX `detail`, OAuth2 `error_description`, then the rest. */
const MESSAGE_KEYS = ['detail', 'error_description', 'message', 'error'] as const;

/**
 * The LMS's own explanation of a refusal, safe to store and show: from a JSON body's
 * detail / error_description / message / error (or a Django REST framework field error such as
 * `{"scoreGiven": ["…"]}`), or a short plain-text body. Never HTML, never a stack trace; web
 * and e-mail addresses and IP addresses are replaced by "…"; whitespace collapsed; at most
 * LMS_MESSAGE_MAX characters. Undefined when there is nothing readable.
 */
export function lmsMessage(body: string | undefined): string | undefined {
  const raw = (body ?? '').trim();
  if (raw === '') return undefined;
  let found: string | undefined;
  if (raw.startsWith('{') || raw.startsWith('[')) {
    try {
      found = fromJson(JSON.parse(raw) as unknown, 0);
    } catch {
      return undefined;
    }
  } else if (!raw.startsWith('<') && raw.length <= PLAIN_TEXT_MAX) {
    found = raw;
  }
  return found === undefined ? undefined : clean(found);
}

function fromJson(v: unknown, depth: number): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (depth > 2 || typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = fromJson(item, depth + 1);
      if (s) return s;
    }
    return undefined;
  }
  const o = v as Record<string, unknown>;
  for (const key of MESSAGE_KEYS) {
    const s = fromJson(o[key], depth + 1);
    if (s) return s;
  }
  // Django REST framework validation errors (Open edX's score serializer): { field: ["why"] }.
  for (const [key, value] of Object.entries(o)) {
    if (Array.isArray(value) && typeof value[0] === 'string' && value[0].trim()) {
      return key === 'non_field_errors' ? value[0] : `${key}: ${value[0]}`;
    }
  }
  return undefined;
}

const STACK = /(\n\s*at\s+\S)|Traceback \(most recent call last\)|\bat\s+\S+\s+\([^)]*:\d+:\d+\)|File "[^"]+", line \d+/;

function clean(s: string): string | undefined {
  if (STACK.test(s)) return undefined;
  let out = s
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '…')
    .replace(/\bwww\.\S+/gi, '…')
    .replace(/[^\s@]+@[^\s@]+\.[a-z]{2,}\b/gi, '…')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '…')
    .replace(/\s+/g, ' ')
    .trim();
  if (out === '' || out === '…') return undefined;
  if (out.length > LMS_MESSAGE_MAX) out = `${out.slice(0, LMS_MESSAGE_MAX - 1).trimEnd()}…`;
  return out;
}
