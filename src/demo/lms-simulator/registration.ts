/**
 * The mock LMS's side of LTI Dynamic Registration 1.0, shaped like Moodle 4.x:
 *   GET  /.well-known/openid-configuration   the platform's OpenID configuration
 *   POST /register-tool                      registration endpoint (Bearer registration token)
 * Tests steer it with `configuration` / `answer` overrides and read what the tool sent in `received`.
 */
import type http from 'node:http';
import { HttpError, randomId, readBody, send } from './util';

export const LTI_PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const LTI_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

export interface ReceivedRegistration {
  body: Record<string, unknown>;
  authorization: string;
  /** The answer given (undefined when the request was refused). */
  clientId?: string;
}

/** A raw answer: `body` as-is (a string is sent verbatim, for "not JSON" cases). */
export interface RawAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

export class MockDynamicRegistration {
  readonly received: ReceivedRegistration[] = [];
  private readonly tokens = new Set<string>();
  /** Replaces (or rewrites) the OpenID configuration answer; reset() clears it. */
  configuration: ((cfg: Record<string, unknown>) => Record<string, unknown> | RawAnswer) | undefined;
  /** Replaces the registration endpoint's successful answer; reset() clears it. */
  answer: ((registration: Record<string, unknown>) => RawAnswer) | undefined;
  /** The client id the next registrations get (default: the mock LMS's own, so its launches work). */
  clientId: string;

  constructor(private readonly lms: { url: string; issuer: string; clientId: string; deploymentId: string }) {
    this.clientId = lms.clientId;
  }

  get configurationUrl(): string {
    return `${this.lms.url}/.well-known/openid-configuration`;
  }

  /** A new registration token the registration endpoint accepts (like Moodle's per-attempt token). */
  issueToken(): string {
    const token = randomId('regtoken-', 16);
    this.tokens.add(token);
    return token;
  }

  /**
   * What the LMS does with the tool's registration link (`<tool>/register?rt=…`): it opens the
   * link with its own configuration URL and a fresh registration token appended, as Moodle does.
   */
  startUrl(registrationLink: string): string {
    const url = new URL(registrationLink);
    url.searchParams.set('openid_configuration', this.configurationUrl);
    url.searchParams.set('registration_token', this.issueToken());
    return url.href;
  }

  reset(): void {
    this.configuration = undefined;
    this.answer = undefined;
    this.clientId = this.lms.clientId;
    this.received.length = 0;
  }

  openIdConfiguration(): Record<string, unknown> {
    const u = this.lms.url;
    return {
      issuer: this.lms.issuer,
      authorization_endpoint: `${u}/auth`,
      token_endpoint: `${u}/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      jwks_uri: `${u}/jwks`,
      registration_endpoint: `${u}/register-tool`,
      scopes_supported: [
        'openid',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
        'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
        'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
        'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
      ],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
      [LTI_PLATFORM_CONFIGURATION]: {
        product_family_code: 'moodle',
        version: '4.5',
        messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] }],
        variables: ['User.username', 'Context.id'],
      },
    };
  }

  /** Handles the two endpoints; false for any other path. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname === '/.well-known/openid-configuration' && req.method === 'GET') {
      const cfg = this.openIdConfiguration();
      const out = this.configuration ? this.configuration(cfg) : cfg;
      if (isRaw(out)) sendRaw(res, out);
      else send(res, 200, out);
      return true;
    }
    if (url.pathname === '/register-tool' && req.method === 'POST') {
      await this.registerTool(req, res);
      return true;
    }
    return false;
  }

  private async registerTool(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const authorization = String(req.headers.authorization ?? '');
    const token = /^Bearer (.+)$/.exec(authorization)?.[1] ?? '';
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, { error: 'invalid_request', error_description: 'body is not JSON' });
    }
    const record: ReceivedRegistration = { body, authorization };
    this.received.push(record);
    if (!this.tokens.has(token)) throw new HttpError(401, { error: 'invalid_token', error_description: 'Unknown or expired registration token' });
    const problems = checkToolRegistration(body);
    if (problems.length > 0) throw new HttpError(400, { error: 'invalid_client_metadata', error_description: problems.join('; ') });
    if (this.answer) return sendRaw(res, this.answer(body));
    record.clientId = this.clientId;
    const tool = body[LTI_TOOL_CONFIGURATION] as Record<string, unknown>;
    send(res, 200, { ...body, client_id: this.clientId, [LTI_TOOL_CONFIGURATION]: { ...tool, deployment_id: this.lms.deploymentId } });
  }
}

/** What Moodle's registration helper insists on. */
function checkToolRegistration(b: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const has = (k: string, v: string) => Array.isArray(b[k]) && (b[k] as unknown[]).includes(v);
  if (b.application_type !== 'web') problems.push('application_type must be web');
  if (!has('response_types', 'id_token')) problems.push('response_types must include id_token');
  if (!has('grant_types', 'implicit') || !has('grant_types', 'client_credentials')) problems.push('grant_types must include implicit and client_credentials');
  if (typeof b.initiate_login_uri !== 'string') problems.push('initiate_login_uri missing');
  if (!Array.isArray(b.redirect_uris) || b.redirect_uris.length === 0) problems.push('redirect_uris missing');
  if (typeof b.jwks_uri !== 'string') problems.push('jwks_uri missing');
  if (b.token_endpoint_auth_method !== 'private_key_jwt') problems.push('token_endpoint_auth_method must be private_key_jwt');
  const tool = b[LTI_TOOL_CONFIGURATION] as Record<string, unknown> | undefined;
  if (!tool || typeof tool.domain !== 'string' || typeof tool.target_link_uri !== 'string') problems.push(`${LTI_TOOL_CONFIGURATION} needs domain and target_link_uri`);
  return problems;
}

function isRaw(v: unknown): v is RawAnswer {
  return typeof v === 'object' && v !== null && typeof (v as RawAnswer).status === 'number' && 'body' in v && Object.keys(v).every((k) => ['status', 'body', 'contentType'].includes(k));
}

function sendRaw(res: http.ServerResponse, raw: RawAnswer): void {
  send(res, raw.status, raw.body, raw.contentType ?? 'application/json');
}
