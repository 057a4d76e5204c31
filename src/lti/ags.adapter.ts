import { Provider } from 'ltijs';
import { LtiServiceError, type AgsFailureReason, type AgsLineItem, type AgsScore, type AgsServices, type NewLineItem, type ServiceEndpoints } from './lti-services';

/**
 * Assignment and Grade Services (AGS) over HTTP, with ltijs's access tokens. We do not use
 * ltijs's Grade service: it overwrites the score's timestamp with its own clock, retries 5xx
 * GETs inside the call (got's default: ~3 s, invisible to our backoff), has no timeout and
 * cannot tell a deleted line item (404) from any other failure. Tokens still come from ltijs
 * (signed client_assertion, cached per scope string in its database), rebuilt from the
 * endpoints stored on the Activity, so background jobs need no live launch.
 *
 * Moodle's line item URLs carry a query (`.../lineitem?type_id=1`): the scores URL is
 * `<path>/scores?<query>` (scoresUrl), never `<url>/scores`.
 */

export const AGS_SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

const MEDIA = {
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  score: 'application/vnd.ims.lis.v1.score+json',
};

export interface AccessToken { access_token: string; token_type: string }

/** Where access tokens come from; unit tests pass their own. */
export interface TokenSource {
  get(endpoints: ServiceEndpoints, scopes: string): Promise<AccessToken>;
  /** Drops a cached token the LMS refused (401), so the next get() asks the LMS again. */
  invalidate(endpoints: ServiceEndpoints, scopes: string): Promise<void>;
}

export interface AgsAdapterOptions {
  /** Whole call, token included. Default 20 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  tokens?: TokenSource;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_PAGES = 50;

const ltijsTokens: TokenSource = {
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

/** `<line item path>/scores` with the line item's query kept (Moodle's `?type_id=1`). */
export function scoresUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  return url.href;
}

/** The line items container URL with the AGS filters added to whatever query it already has. */
export function lineItemsQueryUrl(lineItemsUrl: string, filter: { resourceLinkId?: string; tag?: string }): string {
  const url = new URL(lineItemsUrl);
  if (filter.resourceLinkId) url.searchParams.set('resource_link_id', filter.resourceLinkId);
  if (filter.tag) url.searchParams.set('tag', filter.tag);
  return url.href;
}

/** The rel="next" URL of a Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m?.[1] && /rel="?([^"]*\s)?next(\s[^"]*)?"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

const fail = (reason: AgsFailureReason, status?: number, cause?: unknown): LtiServiceError => {
  const err = new LtiServiceError(reason, status);
  if (cause !== undefined) err.cause = cause;
  return err;
};

/** A non-2xx answer. Only a score POST can say "this line item is gone". */
export function httpFailure(status: number, forLineItem: boolean, body = ''): LtiServiceError {
  const cause = body ? `HTTP ${status}: ${body.slice(0, 300)}` : `HTTP ${status}`;
  if (status === 404 && forLineItem) return fail('line_item_not_found', 404, cause);
  if (status === 401) return fail('token_refused', 401, cause);
  if (status === 404 || status === 408 || status === 429 || status >= 500) return fail('lms_error', status, cause);
  return fail('rejected', status, cause);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);

/** What fetch, ltijs or its HTTP client (got 11) threw, as one of our reasons. */
export function classify(err: unknown): LtiServiceError {
  if (err instanceof LtiServiceError) return err;
  const e = (err ?? {}) as { name?: string; message?: string; code?: string; cause?: { code?: string }; response?: { statusCode?: number } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT') return fail('timeout', undefined, err);
  if (e.message === 'PLATFORM_NOT_FOUND') return fail('platform_unknown', undefined, err);
  if (e.message === 'PLATFORM_NOT_ACTIVATED') return fail('platform_inactive', undefined, err);
  // got's HTTPError: the only got call left is ltijs's token request.
  if (e.name === 'HTTPError' && typeof e.response?.statusCode === 'number') return fail('token_refused', e.response.statusCode, err);
  if (e.name === 'ParseError' || err instanceof SyntaxError) return fail('bad_response', undefined, err);
  const code = e.code ?? e.cause?.code;
  if ((code !== undefined && NETWORK_CODES.has(code)) || e.name === 'RequestError' || (err instanceof TypeError && e.message === 'fetch failed')) {
    return fail('unreachable', undefined, err);
  }
  return fail('unknown', undefined, err);
}

/** Runs `fn` with an AbortSignal that fires, and a rejection with `timeout`, after `ms`. */
async function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(fail('timeout', undefined, `AGS call took longer than ${ms} ms`));
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

interface Request { method: 'GET' | 'POST'; url: string; scopes: string; accept: string; contentType?: string; body?: unknown }

export function createAgsServices(options: AgsAdapterOptions = {}): AgsServices {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? ((input: string | URL | globalThis.Request, init?: RequestInit) => fetch(input, init));
  const tokens = options.tokens ?? ltijsTokens;

  /** One HTTP exchange; a 401 gets one more try with a fresh token (it may have been revoked or expired early). */
  async function send(endpoints: ServiceEndpoints, req: Request, signal: AbortSignal): Promise<Response> {
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
      if (res.status !== 401 || attempt > 0) return res;
      await res.body?.cancel();
      await tokens.invalidate(endpoints, req.scopes);
    }
  }

  async function json(res: Response, forLineItem = false): Promise<unknown> {
    const text = await res.text();
    if (!res.ok) throw httpFailure(res.status, forLineItem, text);
    return JSON.parse(text) as unknown;
  }

  const readScope = (e: ServiceEndpoints) => (e.agsScopes?.includes(AGS_SCOPE.lineItem) ? AGS_SCOPE.lineItem : AGS_SCOPE.lineItemReadonly);

  return {
    async findLineItems(endpoints, filter) {
      const container = endpoints.agsLineItemsUrl;
      if (!container) throw fail('ags_unavailable');
      return withDeadline(timeoutMs, async (signal) => {
        const items: AgsLineItem[] = [];
        let url: string | undefined = lineItemsQueryUrl(container, filter);
        for (let page = 0; url && page < MAX_PAGES; page++) {
          const res = await send(endpoints, { method: 'GET', url, scopes: readScope(endpoints), accept: MEDIA.lineItems }, signal);
          const body = await json(res);
          if (!Array.isArray(body)) throw fail('bad_response', res.status, 'line items container is not an array');
          items.push(...body.flatMap(toLineItem));
          url = nextLink(res.headers.get('link'));
        }
        return items;
      });
    },

    async createLineItem(endpoints, item: NewLineItem) {
      const container = endpoints.agsLineItemsUrl;
      if (!container) throw fail('ags_unavailable');
      return withDeadline(timeoutMs, async (signal) => {
        const res = await send(endpoints, {
          method: 'POST', url: container, scopes: AGS_SCOPE.lineItem, accept: MEDIA.lineItem, contentType: MEDIA.lineItem, body: item,
        }, signal);
        const created = toLineItem(await json(res))[0];
        if (!created) throw fail('bad_response', res.status, 'created line item has no id');
        return created;
      });
    },

    async postScore(endpoints, lineItemUrl, score: AgsScore) {
      await withDeadline(timeoutMs, async (signal) => {
        const res = await send(endpoints, {
          method: 'POST', url: scoresUrl(lineItemUrl), scopes: AGS_SCOPE.score, accept: 'application/json', contentType: MEDIA.score, body: score,
        }, signal);
        // Moodle answers 200 with an empty body; nothing to read on success.
        const text = await res.text();
        if (!res.ok) throw httpFailure(res.status, true, text);
      });
    },
  };
}

function toLineItem(raw: unknown): AgsLineItem[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') return [];
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return [{
    id: r.id, label: str(r.label), resourceLinkId: str(r.resourceLinkId), resourceId: str(r.resourceId), tag: str(r.tag),
    scoreMaximum: typeof r.scoreMaximum === 'number' ? r.scoreMaximum : undefined,
  }];
}
