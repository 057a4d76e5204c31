/**
 * Platform-side LTI Advantage services of the mock LMS: OAuth2 token endpoint
 * (client_credentials + signed client_assertion), NRPS memberships and AGS line items /
 * scores / results, shaped like Moodle 4.5 answers (see /work/shared/fixtures/moodle).
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LmsProfile, MockUser } from './types';
import {
  type JwtVerifyOptions, ALL_SCOPES, SCOPE, HttpError, bearer, decodeJwt, fullRole, jwt, randomId, readForm, readJson, sameRole, send,
  shortRole, str,
} from './util';

export type FailureKind = 'token' | 'nrps' | 'ags' | 'scores';
export interface TokenRequestRecord { ok: boolean; status: number; scope?: string; error?: string; description?: string }
export interface ScoreRecord { lineItemId: string; body: Record<string, unknown> }
export interface GradebookRow {
  lineItemId: string; label: string; userId: string; resultScore: number | null; resultMaximum: number;
  activityProgress?: string; gradingProgress?: string; comment?: string; timestamp?: string;
}
export interface ContextInfo { id: string; label: string; title: string }
interface LineItem {
  n: number; contextId: string; label: string; scoreMaximum: number; resourceId: string; tag: string;
  resourceLinkId?: string; startDateTime?: string; endDateTime?: string;
}
interface StoredResult {
  userId: string; scoreGiven?: number; scoreMaximum?: number; activityProgress?: string; gradingProgress?: string;
  comment?: string; timestamp: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CT = {
  members: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  results: 'application/vnd.ims.lis.v2.resultcontainer+json',
};
const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];
const bad = (description: string): HttpError => new HttpError(400, { error: 'invalid_request', error_description: description });
const notFound = (): HttpError => new HttpError(404, { error: 'not_found' });
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

export class MockLmsServices {
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly scores: ScoreRecord[] = [];
  readonly contexts = new Map<string, ContextInfo>();
  readonly members = new Map<string, MockUser[]>();
  private readonly tokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  /** Tokens issued before the last rotateKeys(): the platform can no longer verify them. */
  private readonly staleTokens = new Set<string>();
  private readonly usedJtis = new Set<string>();
  private readonly items: LineItem[] = [];
  private readonly results = new Map<number, Map<string, StoredResult>>();
  private readonly failures: Array<{ kind: FailureKind; status: number; remaining: number }> = [];
  private readonly stalls: Array<{ kind: FailureKind; ms: number; remaining: number }> = [];
  private nextItem = 1;

  constructor(private readonly cfg: { baseUrl: string; clientId: string; toolUrl: string; tokenUrl: string; strictScores: boolean; profile?: LmsProfile }) {}

  // ------------------------------------------------------------------ state helpers
  rememberContext(ctx: { id: string; label?: string; title?: string }): ContextInfo {
    const prev = this.contexts.get(ctx.id);
    const info = { id: ctx.id, label: ctx.label ?? prev?.label ?? ctx.id, title: ctx.title ?? prev?.title ?? ctx.id };
    this.contexts.set(ctx.id, info);
    return info;
  }
  issueAccessToken(scopes: string[]): string {
    const token = randomId('mock-at-', 16);
    this.tokens.set(token, { scopes, expiresAt: Date.now() + 3600_000 });
    return token;
  }
  /**
   * The platform's signing key changes (an Open edX admin clears a block's key): every access
   * token issued so far stops working. Open edX answers them 403 "Invalid token signature.",
   * Moodle 401.
   */
  rotateKeys(): void {
    for (const token of this.tokens.keys()) this.staleTokens.add(token);
    this.tokens.clear();
  }
  failNext(kind: FailureKind, status: number, times: number): void {
    this.failures.push({ kind, status, remaining: times });
  }
  stallNext(kind: FailureKind, ms: number, times: number): void {
    this.stalls.push({ kind, ms, remaining: times });
  }
  lineItemUrl(item: LineItem): string {
    return `${this.cfg.baseUrl}/ags/${encodeURIComponent(item.contextId)}/lineitems/${item.n}/lineitem?type_id=1`;
  }
  lineItemsUrl(contextId: string): string {
    return `${this.cfg.baseUrl}/ags/${encodeURIComponent(contextId)}/lineitems?type_id=1`;
  }
  membershipsUrl(contextId: string): string {
    return `${this.cfg.baseUrl}/nrps/${encodeURIComponent(contextId)}/memberships`;
  }
  /** The line item Moodle creates for an activity (one per context + resource link). */
  ensureLineItem(contextId: string, resourceLinkId: string, label: string): string {
    let item = this.items.find((i) => i.contextId === contextId && i.resourceLinkId === resourceLinkId);
    if (!item) item = this.addItem({ contextId, label, scoreMaximum: 100, resourceId: '', tag: '', resourceLinkId });
    return this.lineItemUrl(item);
  }
  lineItems(contextId?: string): Array<Record<string, unknown>> {
    return this.items.filter((i) => contextId === undefined || i.contextId === contextId).map((i) => this.itemJson(i));
  }
  gradebook(contextId: string): GradebookRow[] {
    const rows: GradebookRow[] = [];
    for (const item of this.items.filter((i) => i.contextId === contextId)) {
      for (const r of this.results.get(item.n)?.values() ?? []) {
        const { resultScore, resultMaximum } = this.scaled(item, r);
        rows.push({
          lineItemId: this.lineItemUrl(item), label: item.label, userId: r.userId, resultScore: resultScore ?? null, resultMaximum,
          activityProgress: r.activityProgress, gradingProgress: r.gradingProgress, comment: r.comment, timestamp: r.timestamp,
        });
      }
    }
    return rows;
  }

  // ------------------------------------------------------------------ routing
  /** Returns false when the path is not a service path. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const seg = url.pathname.split('/').slice(1).map((s) => decodeURIComponent(s));
    const method = req.method ?? 'GET';
    if (seg.length === 1 && seg[0] === 'token') {
      if (method !== 'POST') throw new HttpError(405, { error: 'method_not_allowed' });
      if (!this.simulatedFailure('token', res)) await this.token(req, res);
      return true;
    }
    if (seg[0] === 'nrps' && seg.length === 3 && seg[2] === 'memberships' && seg[1] !== undefined) {
      if (method !== 'GET') throw new HttpError(405, { error: 'method_not_allowed' });
      this.authorize(req, [SCOPE.nrps]);
      if (!this.simulatedFailure('nrps', res)) this.memberships(seg[1], url, res);
      return true;
    }
    if (seg[0] !== 'ags' || seg[1] === undefined || seg[2] !== 'lineitems') return false;
    // Moodle's line item URLs carry ?type_id=1: anything else (including the
    // `...lineitem?type_id=1/scores` trap) does not exist.
    if (url.searchParams.get('type_id') !== '1') throw notFound();
    const contextId = seg[1];
    if (!this.contexts.has(contextId)) throw notFound();
    if (seg.length === 3) {
      if (method === 'GET') this.authorize(req, [SCOPE.lineItem, SCOPE.lineItemReadonly]);
      else if (method === 'POST') this.authorize(req, [SCOPE.lineItem]);
      else throw new HttpError(405, { error: 'method_not_allowed' });
      await this.simulatedStall('ags');
      if (this.simulatedFailure('ags', res)) return true;
      if (method === 'GET') this.listItems(contextId, url, res);
      else await this.createItem(contextId, req, res);
      return true;
    }
    const item = this.items.find((i) => i.contextId === contextId && String(i.n) === seg[3]);
    if (!item || seg[4] !== 'lineitem' || seg.length > 6) throw notFound();
    const sub = seg[5];
    if (sub === undefined) {
      if (method === 'GET') this.authorize(req, [SCOPE.lineItem, SCOPE.lineItemReadonly]);
      else if (method === 'PUT' || method === 'DELETE') this.authorize(req, [SCOPE.lineItem]);
      else throw new HttpError(405, { error: 'method_not_allowed' });
      if (this.simulatedFailure('ags', res)) return true;
      if (method === 'GET') send(res, 200, this.itemJson(item), CT.lineItem);
      else if (method === 'PUT') await this.updateItem(item, req, res);
      else {
        this.items.splice(this.items.indexOf(item), 1);
        this.results.delete(item.n);
        send(res, 204, '', CT.lineItem);
      }
      return true;
    }
    if (sub === 'scores' && method === 'POST') {
      this.authorize(req, [SCOPE.score]);
      await this.simulatedStall('scores');
      if (!this.simulatedFailure('scores', res)) await this.postScore(item, req, res);
      return true;
    }
    if (sub === 'results' && method === 'GET') {
      this.authorize(req, [SCOPE.resultReadonly]);
      if (!this.simulatedFailure('ags', res)) this.listResults(item, url, res);
      return true;
    }
    throw notFound();
  }

  // ------------------------------------------------------------------ OAuth2 token endpoint
  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const scope = form.get('scope') ?? undefined;
    const fail = (status: number, error: string, description: string): void => {
      this.tokenRequests.push({ ok: false, status, scope, error, description });
      send(res, status, { error, error_description: description });
    };
    if (form.get('grant_type') !== 'client_credentials') return fail(400, 'invalid_request', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== JWT_BEARER) return fail(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
    const assertion = form.get('client_assertion');
    if (!assertion) return fail(400, 'invalid_request', 'client_assertion missing');
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifyToolJwt(assertion, { issuer: this.cfg.clientId, subject: this.cfg.clientId, audience: this.cfg.tokenUrl });
    } catch (e) {
      return fail(401, 'invalid_client', (e as Error).message);
    }
    const jti = str(claims.jti);
    if (!jti) return fail(400, 'invalid_request', 'client_assertion has no jti');
    if (this.usedJtis.has(jti)) return fail(400, 'invalid_grant', 'client_assertion jti already used');
    this.usedJtis.add(jti);
    const granted = (scope ?? '').split(/\s+/).filter((s) => ALL_SCOPES.includes(s));
    if (granted.length === 0) return fail(400, 'invalid_scope', `none of the requested scopes is supported: ${scope ?? '(none)'}`);
    const grantedScope = granted.join(' ');
    this.tokenRequests.push({ ok: true, status: 200, scope: grantedScope });
    send(res, 200, { access_token: this.issueAccessToken(granted), token_type: 'Bearer', expires_in: 3600, scope: grantedScope });
  }

  /** Verifies an RS256 JWT signed by the tool against the JWKS the tool serves at `${toolUrl}/keys`. */
  async verifyToolJwt(token: string, options: JwtVerifyOptions): Promise<Record<string, unknown>> {
    let kid: unknown;
    try {
      kid = decodeJwt(token).header.kid;
    } catch {
      throw new Error('not a JWT');
    }
    let keys: Array<Record<string, unknown>>;
    try {
      const r = await fetch(`${this.cfg.toolUrl}/keys`);
      if (!r.ok) throw new Error(`status ${r.status}`);
      const body = (await r.json()) as { keys?: unknown };
      keys = Array.isArray(body.keys) ? (body.keys as Array<Record<string, unknown>>) : [];
    } catch (e) {
      throw new Error(`cannot fetch the tool JWKS at ${this.cfg.toolUrl}/keys: ${(e as Error).message}`);
    }
    const candidates = kid === undefined ? keys : keys.filter((k) => k.kid === kid);
    if (candidates.length === 0) throw new Error(`no key with kid ${String(kid)} in the tool JWKS`);
    let lastError = 'signature verification failed';
    for (const jwk of candidates) {
      try {
        const key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
        const verified = jwt.verify(token, key, { algorithms: ['RS256'], ...options });
        return typeof verified === 'object' && verified !== null ? (verified as Record<string, unknown>) : {};
      } catch (e) {
        lastError = (e as Error).message;
      }
    }
    throw new Error(lastError);
  }

  private authorize(req: IncomingMessage, anyOf: string[]): void {
    const token = bearer(req);
    const known = token === undefined ? undefined : this.tokens.get(token);
    if (this.cfg.profile === 'openedx' && !known) throw new HttpError(403, { detail: token !== undefined && this.staleTokens.has(token) ? 'Invalid token signature.' : 'Authentication credentials were not provided.' });
    if (!known || known.expiresAt < Date.now()) {
      throw new HttpError(401, { error: 'invalid_token', error_description: 'missing, unknown or expired bearer token' });
    }
    if (!anyOf.some((s) => known.scopes.includes(s))) {
      throw new HttpError(401, { error: 'insufficient_scope', error_description: `requires one of: ${anyOf.join(' ')}` });
    }
  }

  private simulatedFailure(kind: FailureKind, res: ServerResponse): boolean {
    const f = this.failures.find((x) => x.kind === kind && x.remaining > 0);
    if (!f) return false;
    f.remaining -= 1;
    if (kind === 'token') this.tokenRequests.push({ ok: false, status: f.status, error: 'simulated_failure' });
    send(res, f.status, { error: 'simulated_failure', error_description: `mock LMS simulated a ${kind} failure` });
    return true;
  }

  /** A slow LMS: waits before answering normally (the caller may have given up by then). */
  private async simulatedStall(kind: FailureKind): Promise<void> {
    const s = this.stalls.find((x) => x.kind === kind && x.remaining > 0);
    if (!s) return;
    s.remaining -= 1;
    await new Promise((resolve) => setTimeout(resolve, s.ms).unref());
  }

  // ------------------------------------------------------------------ NRPS
  private memberships(contextId: string, url: URL, res: ServerResponse): void {
    const ctx = this.contexts.get(contextId);
    if (!ctx) throw notFound();
    const role = url.searchParams.get('role');
    const all = (this.members.get(contextId) ?? []).filter((m) => !role || m.roles.some((r) => sameRole(r, role)));
    const { slice, link } = page(all, url, 100);
    const members = slice.map((m) => this.cfg.profile === 'openedx'
      // Open edX: full role URIs, the name as one string, no username.
      ? {
        status: m.status ?? 'Active', roles: m.roles.map(fullRole), user_id: m.id, name: `${m.givenName} ${m.familyName}`.trim(),
        ...(m.email !== undefined ? { email: m.email } : {}),
      }
      : {
        status: m.status ?? 'Active',
        roles: m.roles.map((r) => shortRole(fullRole(r))),
        user_id: m.id,
        lis_person_sourcedid: m.sourcedId ?? `ID-${m.id}`,
        name: `${m.givenName} ${m.familyName}`.trim(),
        given_name: m.givenName,
        family_name: m.familyName,
        ...(m.email !== undefined ? { email: m.email } : {}),
        ext_user_username: m.username ?? m.id,
      });
    const body = { id: this.membershipsUrl(contextId), context: { id: ctx.id, label: ctx.label, title: ctx.title }, members };
    send(res, 200, body, CT.members, link ? { Link: link } : {});
  }

  // ------------------------------------------------------------------ AGS
  private addItem(fields: Omit<LineItem, 'n'>): LineItem {
    const item: LineItem = { n: this.nextItem++, ...fields };
    this.items.push(item);
    return item;
  }
  private itemJson(i: LineItem): Record<string, unknown> {
    return {
      id: this.lineItemUrl(i), label: i.label, scoreMaximum: i.scoreMaximum, resourceId: i.resourceId, tag: i.tag,
      ...(i.resourceLinkId !== undefined ? { resourceLinkId: i.resourceLinkId, ltiLinkId: i.resourceLinkId } : {}),
      ...(i.startDateTime !== undefined ? { startDateTime: i.startDateTime } : {}),
      ...(i.endDateTime !== undefined ? { endDateTime: i.endDateTime } : {}),
    };
  }
  private listItems(contextId: string, url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const list = this.items.filter(
      (i) =>
        i.contextId === contextId &&
        (!q.has('resource_link_id') || i.resourceLinkId === q.get('resource_link_id')) &&
        (!q.has('resource_id') || i.resourceId === q.get('resource_id')) &&
        (!q.has('tag') || i.tag === q.get('tag')),
    );
    const { slice, link } = page(list, url, 1000);
    send(res, 200, slice.map((i) => this.itemJson(i)), CT.lineItems, link ? { Link: link } : {});
  }
  private static itemFields(body: Record<string, unknown>): Omit<LineItem, 'n' | 'contextId'> {
    const { label, scoreMaximum, resourceId, tag, resourceLinkId, startDateTime, endDateTime } = body;
    if (typeof label !== 'string' || label.trim() === '') throw bad('label is required');
    if (typeof scoreMaximum !== 'number' || !(scoreMaximum > 0)) throw bad('scoreMaximum must be a number > 0');
    for (const [k, v] of Object.entries({ resourceId, tag, resourceLinkId, startDateTime, endDateTime })) {
      if (v !== undefined && typeof v !== 'string') throw bad(`${k} must be a string`);
    }
    return {
      label, scoreMaximum, resourceId: str(resourceId) ?? '', tag: str(tag) ?? '', resourceLinkId: str(resourceLinkId),
      startDateTime: str(startDateTime), endDateTime: str(endDateTime),
    };
  }
  private async createItem(contextId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fields = MockLmsServices.itemFields(await readJson(req, [CT.lineItem, 'application/json']));
    const item = this.addItem({ contextId, ...fields });
    send(res, 201, this.itemJson(item), CT.lineItem);
  }
  private async updateItem(item: LineItem, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fields = MockLmsServices.itemFields(await readJson(req, [CT.lineItem, 'application/json']));
    Object.assign(item, { ...fields, resourceLinkId: fields.resourceLinkId ?? item.resourceLinkId });
    send(res, 200, this.itemJson(item), CT.lineItem);
  }
  private async postScore(item: LineItem, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, [CT.score, 'application/json']);
    const { userId, scoreGiven, scoreMaximum, activityProgress, gradingProgress, timestamp, comment } = body;
    if (typeof userId !== 'string' || userId === '') throw bad('userId is required');
    if (scoreGiven !== undefined && (typeof scoreGiven !== 'number' || !Number.isFinite(scoreGiven) || scoreGiven < 0)) {
      throw bad('scoreGiven must be a number >= 0');
    }
    if (scoreMaximum !== undefined && (typeof scoreMaximum !== 'number' || !(scoreMaximum > 0))) throw bad('scoreMaximum must be a number > 0');
    if (scoreGiven !== undefined && scoreMaximum === undefined) throw bad('scoreMaximum is required with scoreGiven');
    if (typeof activityProgress !== 'string' || !ACTIVITY.includes(activityProgress)) throw bad(`activityProgress must be one of ${ACTIVITY.join(', ')}`);
    if (typeof gradingProgress !== 'string' || !GRADING.includes(gradingProgress)) throw bad(`gradingProgress must be one of ${GRADING.join(', ')}`);
    if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) throw bad('timestamp must be an ISO 8601 date-time');
    if (comment !== undefined && typeof comment !== 'string') throw bad('comment must be a string');
    if (this.cfg.strictScores) {
      const member = this.members.get(item.contextId)?.find((m) => m.id === userId);
      if (!member || !member.roles.some((r) => sameRole(r, 'Learner'))) {
        throw new HttpError(422, { error: 'invalid_request', error_description: 'User not found in course or is not a student' });
      }
    }
    let byUser = this.results.get(item.n);
    if (!byUser) this.results.set(item.n, (byUser = new Map()));
    const previous = byUser.get(userId);
    if (previous && Date.parse(previous.timestamp) > Date.parse(timestamp)) {
      throw new HttpError(409, { error: 'conflict', error_description: 'Refusing score with an earlier timestamp' });
    }
    byUser.set(userId, {
      userId, timestamp, activityProgress, gradingProgress, comment: str(comment),
      scoreGiven: scoreGiven as number | undefined, scoreMaximum: scoreMaximum as number | undefined,
    });
    this.scores.push({ lineItemId: this.lineItemUrl(item), body });
    send(res, 200, '', CT.score);
  }
  /** Like Moodle: the grade is scaled to the line item's scoreMaximum. */
  private scaled(item: LineItem, r: StoredResult): { resultScore?: number; resultMaximum: number } {
    if (r.scoreGiven === undefined || r.scoreMaximum === undefined) return { resultMaximum: item.scoreMaximum };
    return { resultScore: round((r.scoreGiven / r.scoreMaximum) * item.scoreMaximum), resultMaximum: item.scoreMaximum };
  }
  private listResults(item: LineItem, url: URL, res: ServerResponse): void {
    const userId = url.searchParams.get('user_id');
    const base = this.lineItemUrl(item).replace('?', '/results?');
    const list = [...(this.results.get(item.n)?.values() ?? [])].filter((r) => !userId || r.userId === userId);
    const { slice, link } = page(list, url, 1000);
    const body = slice.map((r) => {
      const { resultScore, resultMaximum } = this.scaled(item, r);
      return {
        id: `${base}&user_id=${encodeURIComponent(r.userId)}`, userId: r.userId,
        ...(resultScore !== undefined ? { resultScore } : {}), resultMaximum,
        ...(r.comment !== undefined ? { comment: r.comment } : {}), scoreOf: this.lineItemUrl(item), timestamp: r.timestamp,
      };
    });
    send(res, 200, body, CT.results, link ? { Link: link } : {});
  }
}

/** `limit` (default `defaultLimit`) + 1-based `page` (or Moodle's `from` offset) paging with a rel="next" Link. */
function page<T>(list: T[], url: URL, defaultLimit: number): { slice: T[]; link?: string } {
  const limitParam = Number.parseInt(url.searchParams.get('limit') ?? '', 10);
  const limit = limitParam > 0 ? limitParam : defaultLimit;
  const pageParam = Number.parseInt(url.searchParams.get('page') ?? '', 10);
  const fromParam = Number.parseInt(url.searchParams.get('from') ?? '', 10);
  const start = fromParam >= 0 ? fromParam : pageParam > 1 ? (pageParam - 1) * limit : 0;
  const slice = list.slice(start, start + limit);
  if (start + limit >= list.length) return { slice };
  const next = new URL(url.href);
  next.searchParams.set('limit', String(limit));
  if (fromParam >= 0) next.searchParams.set('from', String(start + limit));
  else next.searchParams.set('page', String(Math.floor(start / limit) + 2));
  return { slice, link: `<${next.href}>; rel="next"` };
}
