import {
  buildToolRegistration, hostListed, lmsErrorText, PlatformConfiguration, readRegistrationAnswer, RegistrationRefusal,
  RegistrationRefusalKind, toPlatformInput, UrlRules, validateConfiguration,
} from './dynamic-registration';
import { FetchedText, FetchError, fetchLimited, OutboundPolicy, Resolver } from './lms-http.adapter';
import type { PlatformRecord, PlatformService } from './platform.service';
import type { RegistrationLinkService } from './registration-link.service';

export { FetchError, fetchLimited } from './lms-http.adapter';

/**
 * LTI Dynamic Registration, the I/O half: check the registration link, fetch the LMS's OpenID
 * configuration, POST our tool configuration with the registration token, store the LMS through
 * the platform service (the same path as the CLI and the platforms file). Outgoing requests go
 * through lms-http.adapter.ts, which never connects into the tool's own network unless the host
 * is on DYNREG_ALLOWED_HOSTS.
 */

export interface DynamicRegistrationOptions extends UrlRules {
  publicUrl: string;
  autoActivate: boolean;
  /** Per outgoing request, including reading the body. */
  timeoutMs?: number;
  maxBytes?: number;
  /** Name resolution for outgoing requests; tests inject one (there is no DNS here). */
  resolve?: Resolver;
}

export interface RegistrationResult {
  platform: PlatformRecord;
  pending: boolean;
  /** What the LMS said about itself, for the end page. */
  productFamilyCode?: string;
}

/** The body goes to the log (as the refusal's detail), never to the page. */
function parseJson(text: string, kind: RegistrationRefusalKind): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RegistrationRefusal(kind, text.trim().replace(/\s+/g, ' ').slice(0, 200) || '(empty)');
  }
}

const logDetail = (err: unknown) => (err instanceof FetchError ? `${err.failure}: ${err.message}` : (err as Error).message);

export function createDynamicRegistrationService(platforms: PlatformService, links: RegistrationLinkService, opts: DynamicRegistrationOptions) {
  const limits = { timeoutMs: opts.timeoutMs ?? 5000, maxBytes: opts.maxBytes ?? 256 * 1024 };
  const policy: OutboundPolicy = { mayReachPrivate: (url) => hostListed(url, opts.allowedHosts), resolve: opts.resolve };

  /** Before anything else is read: no valid link, no registration (and no outgoing request). */
  async function checkLink(rt: string | undefined): Promise<string> {
    if (rt === undefined) throw new RegistrationRefusal('link_missing');
    if (!(await links.isUsable(rt))) throw new RegistrationRefusal('link_invalid', 'unknown, expired, revoked or used up');
    return rt;
  }

  async function fetchConfiguration(configurationUrl: URL): Promise<PlatformConfiguration> {
    let fetched: FetchedText;
    try {
      fetched = await fetchLimited(configurationUrl, { method: 'GET', headers: { Accept: 'application/json' } }, limits, policy);
    } catch (err) {
      const tooLarge = err instanceof FetchError && err.failure === 'too_large';
      throw new RegistrationRefusal(tooLarge ? 'configuration_too_large' : 'configuration_unreachable', logDetail(err));
    }
    if (fetched.status !== 200) throw new RegistrationRefusal('configuration_unreachable', lmsErrorText(fetched.status, fetched.text));
    return validateConfiguration(parseJson(fetched.text, 'configuration_not_json'), configurationUrl, opts);
  }

  async function postRegistration(platform: PlatformConfiguration, token: string): Promise<unknown> {
    const body = JSON.stringify(buildToolRegistration(opts.publicUrl, platform));
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` };
    let answer: FetchedText;
    try {
      answer = await fetchLimited(new URL(platform.registrationEndpoint), { method: 'POST', headers, body }, limits, policy);
    } catch (err) {
      const tooLarge = err instanceof FetchError && err.failure === 'too_large';
      throw new RegistrationRefusal(tooLarge ? 'registration_answer_invalid' : 'registration_failed', logDetail(err));
    }
    if (answer.status === 401 || answer.status === 403) throw new RegistrationRefusal('token_rejected', lmsErrorText(answer.status, answer.text));
    if (answer.status < 200 || answer.status > 299) throw new RegistrationRefusal('registration_failed', lmsErrorText(answer.status, answer.text));
    return parseJson(answer.text, 'registration_answer_invalid');
  }

  async function exchange(configurationUrl: URL, token: string): Promise<RegistrationResult> {
    const platform = await fetchConfiguration(configurationUrl);
    const answer = readRegistrationAnswer(await postRegistration(platform, token));
    if (await platforms.findPlatform(platform.issuer, answer.clientId)) {
      const which = `${platform.issuer} · ${answer.clientId}`;
      throw new RegistrationRefusal('already_registered', which, which);
    }
    const saved = await platforms.upsertPlatform(toPlatformInput(platform, answer, opts.autoActivate), 'dynamic');
    return { platform: saved, pending: saved.status === 'pending', productFamilyCode: platform.productFamilyCode };
  }

  /**
   * The whole flow, after checkLink and the request's own checks. A use of the link is spent
   * (atomically) just before the first outgoing request, so a leaked link cannot be replayed
   * for more requests than it allows, and a refusal before that point costs nothing.
   * An issuer + client id we already know is refused rather than overwritten: the endpoint is
   * public, and an existing (perhaps active, perhaps file-managed) registration must only
   * change through the CLI or the platforms file.
   */
  async function register(rt: string, configurationUrl: URL, token: string): Promise<RegistrationResult> {
    if (!(await links.consume(rt))) throw new RegistrationRefusal('link_invalid', 'no use left when the registration started');
    try {
      return await exchange(configurationUrl, token);
    } catch (err) {
      if (err instanceof RegistrationRefusal) err.linkSpent = true;
      throw err;
    }
  }

  return { checkLink, register };
}

export type DynamicRegistrationService = ReturnType<typeof createDynamicRegistrationService>;

/**
 * Activates a pending registration (the CLI's `approve`). Returns undefined when there is no
 * such registration; an already active one is returned unchanged.
 */
export async function approvePlatform(platforms: PlatformService, issuer: string, clientId: string): Promise<PlatformRecord | undefined> {
  const existing = await platforms.findPlatform(issuer, clientId);
  if (!existing) return undefined;
  if (existing.status === 'active') return existing;
  const { source, ...registration } = existing;
  return platforms.upsertPlatform({ ...registration, status: 'active' }, source);
}
