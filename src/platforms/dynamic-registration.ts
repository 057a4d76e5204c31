/**
 * LTI Dynamic Registration 1.0, the pure half: what we accept from the LMS (its OpenID
 * configuration and its answer to our registration) and what we send it (our tool
 * configuration). No I/O here; dynamic-registration.service.ts fetches and stores.
 *
 * The endpoint is public and fetches a URL it is handed, so it starts only with a registration
 * link (registration-link.ts), never connects into the tool's own network (address-policy.ts),
 * and checks everything the LMS says before trusting it: the configuration must come from the
 * issuer's own origin, and the registration token is only ever sent to a registration endpoint
 * on that same origin.
 */
import { addressAllowed, classifyAddress, literalAddress } from './address-policy';
import { RegistrationRefusal } from './registration-refusal';

export { REGISTRATION_REFUSALS, RegistrationRefusal } from './registration-refusal';
export type { RegistrationRefusalKind } from './registration-refusal';

export const LTI_PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const LTI_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

export const TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
] as const;

/**
 * The custom parameters of docs/admin-guide.md: ltijs drops Moodle's `ext` claim, so usernames come this way;
 * the launching teacher's zone becomes a new activity's time zone (courses/launch-timezone.ts).
 */
export const TOOL_CUSTOM_PARAMETERS = { username: '$User.username', timezone: '$Person.address.timezone' } as const;
export const TOOL_TITLE = 'LTI Attendance';
export const TOOL_DESCRIPTION = 'Attendance register: class sessions, self check-in with a password or QR code, reports, and grades sent to the gradebook.';

export interface UrlRules {
  /** http:// URLs are accepted (development and tests); production requires https://. */
  allowHttp: boolean;
  /**
   * DYNREG_ALLOWED_HOSTS; empty = any host (on a public address). Listed hosts may also be in a
   * loopback or private network (an LMS next to the tool, or on localhost in development).
   */
  allowedHosts: string[];
}

function parseWebUrl(raw: string, allowHttp: boolean): URL | undefined {
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return undefined;
  if (url.username || url.password) return undefined;
  return url;
}

export function hostAllowed(url: URL, allowedHosts: string[]): boolean {
  return allowedHosts.length === 0 || hostListed(url, allowedHosts);
}

/** Named on the list itself (an empty list names nobody). Entries with a port match host:port. */
export function hostListed(url: URL, allowedHosts: string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowedHosts.some((entry) => {
    const candidate = entry.includes(':') ? host : hostname;
    if (entry.startsWith('*.')) return candidate.endsWith(entry.slice(1)) && candidate.length > entry.length - 1;
    return candidate === entry;
  });
}

/** The two query parameters the LMS opens /register with. */
export function readRegistrationRequest(query: Record<string, unknown>, rules: UrlRules): { configurationUrl: URL; token: string } {
  const configuration = typeof query.openid_configuration === 'string' ? query.openid_configuration.trim() : '';
  const token = typeof query.registration_token === 'string' ? query.registration_token.trim() : '';
  const missing = [configuration ? '' : 'openid_configuration', token ? '' : 'registration_token'].filter(Boolean);
  if (missing.length > 0) throw new RegistrationRefusal('missing_parameters', missing.join(', '), missing.join(', '));
  if (token.length > 8192) throw new RegistrationRefusal('missing_parameters', 'registration_token (too long)', 'registration_token (too long)');
  if (configuration.length > 2048) throw new RegistrationRefusal('invalid_configuration_url', 'too long');
  const configurationUrl = parseWebUrl(configuration, rules.allowHttp);
  if (!configurationUrl) throw new RegistrationRefusal('invalid_configuration_url', configuration.slice(0, 200));
  if (!hostAllowed(configurationUrl, rules.allowedHosts)) throw new RegistrationRefusal('host_not_allowed', configurationUrl.host);
  // An IP address in the URL is refused here, before a use of the link is spent; host names are
  // checked on their resolved addresses when connecting (lms-http.adapter.ts).
  const literal = literalAddress(configurationUrl);
  if (literal !== undefined && !addressAllowed(literal, hostListed(configurationUrl, rules.allowedHosts))) {
    throw new RegistrationRefusal('address_not_allowed', `${literal} (${classifyAddress(literal)})`);
  }
  return { configurationUrl, token };
}

export interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  productFamilyCode?: string;
  version?: string;
  /** Message types the LMS says it supports, with their placements; undefined = not said. */
  messagesSupported?: Array<{ type: string; placements: string[] }>;
  claimsSupported?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

function readMessages(v: unknown): PlatformConfiguration['messagesSupported'] {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isObject).flatMap((m) => (typeof m.type === 'string' ? [{ type: m.type, placements: strings(m.placements) ?? [] }] : []));
}

/**
 * Checks the LMS's OpenID configuration against the URL it was fetched from. The issuer must
 * be that URL's origin or a prefix of it (Moodle in a subdirectory: issuer
 * https://example.edu/moodle, configuration https://example.edu/moodle/mod/lti/openid-configuration.php).
 */
export function validateConfiguration(raw: unknown, configurationUrl: URL, rules: UrlRules): PlatformConfiguration {
  if (!isObject(raw)) throw new RegistrationRefusal('configuration_not_json', 'not a JSON object');
  const fields = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const;
  const problems: string[] = [];
  const urls: Partial<Record<(typeof fields)[number], URL>> = {};
  for (const field of fields) {
    const value = raw[field];
    const url = typeof value === 'string' ? parseWebUrl(value, rules.allowHttp) : undefined;
    if (url) urls[field] = url;
    else problems.push(value === undefined ? `${field} missing` : `${field} is not a valid ${rules.allowHttp ? 'http(s)' : 'https'} URL`);
  }
  if (problems.length > 0 || !urls.issuer || !urls.registration_endpoint) throw new RegistrationRefusal('configuration_incomplete', problems.join('; '), problems.join('; '));
  const issuer = raw.issuer as string;
  const issuerPrefix = issuer.endsWith('/') ? issuer : `${issuer}/`;
  const fromIssuer = urls.issuer.origin === configurationUrl.origin && (`${configurationUrl.href}/`.startsWith(issuerPrefix) || urls.issuer.pathname === '/');
  if (!fromIssuer) throw new RegistrationRefusal('issuer_mismatch', `${issuer} ≠ ${configurationUrl.origin}`);
  if (urls.registration_endpoint.origin !== urls.issuer.origin) {
    throw new RegistrationRefusal('registration_endpoint_mismatch', urls.registration_endpoint.origin);
  }
  const platform = isObject(raw[LTI_PLATFORM_CONFIGURATION]) ? (raw[LTI_PLATFORM_CONFIGURATION] as Record<string, unknown>) : {};
  return {
    issuer,
    authorizationEndpoint: raw.authorization_endpoint as string,
    tokenEndpoint: raw.token_endpoint as string,
    jwksUri: raw.jwks_uri as string,
    registrationEndpoint: raw.registration_endpoint as string,
    productFamilyCode: typeof platform.product_family_code === 'string' ? platform.product_family_code : undefined,
    version: typeof platform.version === 'string' ? platform.version : undefined,
    messagesSupported: readMessages(platform.messages_supported),
    claimsSupported: strings(raw.claims_supported),
  };
}

export interface ToolUrls {
  login: string;
  launch: string;
  keys: string;
  logo: string;
}

export function toolUrls(publicUrl: string): ToolUrls {
  return { login: `${publicUrl}/login`, launch: `${publicUrl}/launch`, keys: `${publicUrl}/keys`, logo: `${publicUrl}/static/img/favicon.svg` };
}

const WANTED_CLAIMS = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'];

/** Our client metadata (the body POSTed to the LMS's registration endpoint). */
export function buildToolRegistration(publicUrl: string, platform: PlatformConfiguration): Record<string, unknown> {
  const urls = toolUrls(publicUrl);
  const supports = (type: string) => !platform.messagesSupported || platform.messagesSupported.some((m) => m.type === type);
  const deepLinkingPlacements = platform.messagesSupported?.find((m) => m.type === 'LtiDeepLinkingRequest')?.placements ?? [];
  const messages: Array<Record<string, unknown>> = [{ type: 'LtiResourceLinkRequest', target_link_uri: urls.launch, label: TOOL_TITLE }];
  if (supports('LtiDeepLinkingRequest')) {
    messages.push({
      type: 'LtiDeepLinkingRequest',
      target_link_uri: urls.launch,
      label: TOOL_TITLE,
      placements: deepLinkingPlacements.length > 0 ? deepLinkingPlacements : ['ContentArea'],
    });
  }
  // Ask only for claims the LMS offers when it says which; otherwise for all we use.
  const claims = platform.claimsSupported ? WANTED_CLAIMS.filter((c) => platform.claimsSupported?.includes(c)) : WANTED_CLAIMS;
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: urls.login,
    redirect_uris: [urls.launch],
    client_name: TOOL_TITLE,
    jwks_uri: urls.keys,
    logo_uri: urls.logo,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: TOOL_SCOPES.join(' '),
    [LTI_TOOL_CONFIGURATION]: {
      domain: new URL(publicUrl).host,
      description: TOOL_DESCRIPTION,
      target_link_uri: urls.launch,
      custom_parameters: { ...TOOL_CUSTOM_PARAMETERS },
      claims,
      messages,
    },
  };
}

export interface RegistrationAnswer {
  clientId: string;
  deploymentId?: string;
}

const idString = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** The LMS's answer: our client id (required) and the deployment it created (optional). */
export function readRegistrationAnswer(raw: unknown): RegistrationAnswer {
  if (!isObject(raw)) throw new RegistrationRefusal('registration_answer_invalid', 'not a JSON object');
  const clientId = idString(raw.client_id);
  if (!clientId || clientId.length > 255) throw new RegistrationRefusal('registration_answer_invalid', 'client_id missing');
  const tool = isObject(raw[LTI_TOOL_CONFIGURATION]) ? (raw[LTI_TOOL_CONFIGURATION] as Record<string, unknown>) : {};
  const deploymentId = idString(tool.deployment_id);
  return { clientId, deploymentId: deploymentId && deploymentId.length <= 255 ? deploymentId : undefined };
}

/** What an LMS's error answer says, as short one-line text for the log (never for the page). */
export function lmsErrorText(status: number, body: string): string {
  let text = body.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) {
      const parts = [parsed.error, parsed.error_description, parsed.message].filter((p): p is string => typeof p === 'string');
      if (parts.length > 0) text = parts.join(': ');
    }
  } catch {
    /* not JSON: keep the text */
  }
  text = text.replace(/\s+/g, ' ');
  const shown = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return shown ? `HTTP ${status}: ${shown}` : `HTTP ${status}`;
}

/** The registration we store (same input as the CLI and the platforms file). */
export function toPlatformInput(platform: PlatformConfiguration, answer: RegistrationAnswer, autoActivate: boolean): Record<string, unknown> {
  const host = new URL(platform.issuer).host;
  const family = platform.productFamilyCode ? ` (${platform.productFamilyCode.slice(0, 40)})` : '';
  return {
    issuer: platform.issuer,
    clientId: answer.clientId,
    name: `${host}${family}`.slice(0, 120),
    authUrl: platform.authorizationEndpoint,
    tokenUrl: platform.tokenEndpoint,
    jwksUrl: platform.jwksUri,
    deploymentIds: answer.deploymentId ? [answer.deploymentId] : [],
    status: autoActivate ? 'active' : 'pending',
  };
}

/**
 * What `npm run platform` must be told to open the running tool's data: its DATA_DIR as an
 * absolute path (the CLI finds the running server there through db-runtime.json, and the
 * development LTI key), and MONGODB_DB when it is not the default. MONGODB_URI is never printed
 * (it may hold a password); a CLI without it that finds no data says so instead of creating any.
 */
export interface CliSettings {
  dataDir: string;
  dbName: string;
}

/** MONGODB_DB's default (config/config.ts): the CLI needs no MONGODB_DB= for it. */
const DEFAULT_DB_NAME = 'lti_attendance';

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command an administrator runs on the tool's server to activate a pending registration. */
export function approveCommand(issuer: string, clientId: string, cli?: CliSettings): string {
  const env = cli ? [`DATA_DIR=${shellQuote(cli.dataDir)}`, ...(cli.dbName === DEFAULT_DB_NAME ? [] : [`MONGODB_DB=${shellQuote(cli.dbName)}`])] : [];
  return [...env, `npm run platform -- approve --issuer ${shellQuote(issuer)} --client-id ${shellQuote(clientId)}`].join(' ');
}
