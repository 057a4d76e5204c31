import { LtiServiceError, type AgsLineItem, type AgsScore, type AgsServices, type NewLineItem, type ServiceEndpoints } from './lti-services';
import { authorizedSender, failureWithBody, fail, ltijsTokens, nextLink, withDeadline, type FetchLike, type TokenSource } from './service-http.adapter';

// Unit tests import these from here too.
export { classify, nextLink, type AccessToken, type TokenSource } from './service-http.adapter';

/**
 * Assignment and Grade Services (AGS) over HTTP, with ltijs's access tokens; a 401 or 403 is
 * retried once with a fresh token (service-http.adapter.ts). We do not use ltijs's Grade service: it overwrites the score's timestamp with its own clock, retries 5xx
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

export interface AgsAdapterOptions {
  /** Whole call, token included. Default 20 s. */
  timeoutMs?: number;
  fetch?: FetchLike;
  tokens?: TokenSource;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const MAX_PAGES = 50;

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

/** A non-2xx answer. Only a score POST can say "this line item is gone". */
export function httpFailure(status: number, forLineItem: boolean, body = ''): LtiServiceError {
  if (status === 404 && forLineItem) return failureWithBody('line_item_not_found', 404, body);
  if (status === 401) return failureWithBody('token_refused', 401, body);
  if (status === 404 || status === 408 || status === 429 || status >= 500) return failureWithBody('lms_error', status, body);
  return failureWithBody('rejected', status, body);
}

export function createAgsServices(options: AgsAdapterOptions = {}): AgsServices {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const tokens = options.tokens ?? ltijsTokens;

  const send = authorizedSender(doFetch, tokens);

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
      return withDeadline(timeoutMs, 'AGS', async (signal) => {
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
      return withDeadline(timeoutMs, 'AGS', async (signal) => {
        const res = await send(endpoints, {
          method: 'POST', url: container, scopes: AGS_SCOPE.lineItem, accept: MEDIA.lineItem, contentType: MEDIA.lineItem, body: item,
        }, signal);
        const created = toLineItem(await json(res))[0];
        if (!created) throw fail('bad_response', res.status, 'created line item has no id');
        return created;
      });
    },

    async postScore(endpoints, lineItemUrl, score: AgsScore) {
      await withDeadline(timeoutMs, 'AGS', async (signal) => {
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
