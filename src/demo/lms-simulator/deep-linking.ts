/**
 * The mock LMS's side of LTI Deep Linking: remembers the deep linking requests it signed and
 * checks what the tool POSTs back to deep_link_return_url as a real platform would.
 */
import type http from 'node:http';
import type { LmsProfile } from './types';
import { CLAIM, HttpError, decodeJwt, escapeHtml, readForm, send, str, type JwtVerifyOptions } from './util';

/**
 * One POST to /deeplinking/return. `verified` = every check passed: the tool's signature
 * against its /keys (kid, RS256, exp), iss = client id, aud = issuer, a fresh nonce, message
 * type LtiDeepLinkingResponse, version 1.3.0, a deployment id and `data` echo matching a
 * request this LMS signed, and content_items an array. `problems` lists what failed.
 */
export interface DeepLinkResponseRecord {
  payload: Record<string, unknown>;
  verified: boolean;
  error?: string;
  problems: string[];
  /** payload's content_items claim (empty when absent) */
  contentItems: Array<Record<string, unknown>>;
}

export interface DeepLinkRequestRecord {
  deploymentId: unknown;
  data: unknown;
}

type VerifyToolJwt = (token: string, options: JwtVerifyOptions) => Promise<Record<string, unknown>>;

export class MockDeepLinking {
  readonly requests: DeepLinkRequestRecord[] = [];
  readonly responses: DeepLinkResponseRecord[] = [];
  /**
   * The items the platform keeps from the last accepted response. Open edX replaces a block's
   * items with every response (an empty content_items erases them) and ignores `lineItem`.
   */
  linkedItems: Array<Record<string, unknown>> = [];
  private readonly nonces = new Set<string>();

  constructor(private readonly cfg: { issuer: string; clientId: string; verifyToolJwt: VerifyToolJwt; profile?: LmsProfile }) {}

  /** Called for every id_token the LMS signs; keeps the deep linking ones. */
  rememberRequest(payload: Record<string, unknown>): void {
    if (payload[CLAIM.messageType] !== 'LtiDeepLinkingRequest') return;
    const settings = payload[CLAIM.deepLinkingSettings] as Record<string, unknown> | undefined;
    this.requests.push({ deploymentId: payload[CLAIM.deploymentId], data: settings?.data });
  }

  /** POST /deeplinking/return: 200 when the response passes every check, else 400 listing the problems. */
  async handleReturn(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const token = (await readForm(req)).get('JWT') ?? '';
    let payload: Record<string, unknown>;
    try {
      payload = decodeJwt(token).payload;
    } catch {
      throw new HttpError(400, { error: 'invalid_request', error_description: 'JWT missing or malformed' });
    }
    const problems = await this.check(token, payload);
    const items = payload[CLAIM.dlContentItems];
    const contentItems = Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
    const verified = problems.length === 0;
    this.responses.push({ payload, verified, problems, contentItems, ...(verified ? {} : { error: problems.join('; ') }) });
    if (!verified) {
      return send(res, 400, `<!doctype html><title>Mock LMS</title><p>Deep linking response refused: ${escapeHtml(problems.join('; '))}</p>`, 'text/html');
    }
    if (this.cfg.profile === 'openedx') this.linkedItems = contentItems.map(({ lineItem: _ignored, ...item }) => item);
    else if (contentItems.length > 0) this.linkedItems = contentItems;
    send(res, 200, '<!doctype html><title>Mock LMS</title><p>Deep linking response received.</p>', 'text/html');
  }

  private async check(token: string, payload: Record<string, unknown>): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.cfg.verifyToolJwt(token, { issuer: this.cfg.clientId, audience: this.cfg.issuer });
    } catch (e) {
      problems.push(`signature/iss/aud/exp: ${(e as Error).message}`);
    }
    const nonce = str(payload.nonce);
    if (!nonce) problems.push('nonce missing');
    else if (this.nonces.has(nonce)) problems.push('nonce already used');
    else this.nonces.add(nonce);
    if (payload[CLAIM.messageType] !== 'LtiDeepLinkingResponse') problems.push(`message_type is ${String(payload[CLAIM.messageType])}`);
    if (payload[CLAIM.version] !== '1.3.0') problems.push(`version is ${String(payload[CLAIM.version])}`);
    const deployment = payload[CLAIM.deploymentId];
    const requests = this.requests.filter((r) => r.deploymentId === deployment);
    const sameData = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (requests.length === 0) problems.push(`deployment_id ${String(deployment)} matches no deep linking request`);
    else if (!requests.some((r) => sameData(r.data, payload[CLAIM.dlData]))) problems.push("data does not echo the request's data");
    if (!Array.isArray(payload[CLAIM.dlContentItems])) problems.push('content_items is not an array');
    return problems;
  }
}
