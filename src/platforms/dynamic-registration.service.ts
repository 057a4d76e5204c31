import {
  buildToolRegistration, lmsErrorText, PlatformConfiguration, readRegistrationAnswer, RegistrationRefusal,
  RegistrationRefusalKind, toPlatformInput, UrlRules, validateConfiguration,
} from './dynamic-registration';
import type { PlatformRecord, PlatformService } from './platform.service';

/**
 * LTI Dynamic Registration, the I/O half: fetch the LMS's OpenID configuration, POST our tool
 * configuration with the registration token, store the LMS through the platform service (the
 * same path as the CLI and the platforms file).
 */

export interface DynamicRegistrationOptions extends UrlRules {
  publicUrl: string;
  autoActivate: boolean;
  /** Per outgoing request, including reading the body. */
  timeoutMs?: number;
  maxBytes?: number;
}

export interface RegistrationResult {
  platform: PlatformRecord;
  pending: boolean;
  /** What the LMS said about itself, for the end page. */
  productFamilyCode?: string;
}

interface FetchedText {
  status: number;
  text: string;
}

type FetchFailure = 'unreachable' | 'too_large';

class FetchError extends Error {
  constructor(readonly failure: FetchFailure, detail: string) {
    super(detail);
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new FetchError('too_large', `${declared} bytes`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FetchError('too_large', `more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One request with a time and size limit. Redirects are followed only within the same origin
 * (GET), so a configuration URL cannot bounce us to another host.
 */
export async function fetchLimited(
  url: URL,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  limits: { timeoutMs: number; maxBytes: number },
): Promise<FetchedText> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hops = 0; ; hops++) {
      const res = await fetch(current, { ...init, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => undefined);
        const next = new URL(location, current);
        if (init.method !== 'GET' || next.origin !== url.origin || hops >= 3) throw new FetchError('unreachable', `redirected to ${next.origin}`);
        current = next;
        continue;
      }
      return { status: res.status, text: await readLimited(res, limits.maxBytes) };
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    const e = err as Error & { cause?: { code?: string } };
    const detail = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${limits.timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
    throw new FetchError('unreachable', detail);
  }
}

function parseJson(text: string, kind: RegistrationRefusalKind): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RegistrationRefusal(kind, text.trim().slice(0, 120) || '(empty)');
  }
}

export function createDynamicRegistrationService(platforms: PlatformService, opts: DynamicRegistrationOptions) {
  const limits = { timeoutMs: opts.timeoutMs ?? 5000, maxBytes: opts.maxBytes ?? 256 * 1024 };

  async function fetchConfiguration(configurationUrl: URL): Promise<PlatformConfiguration> {
    let fetched: FetchedText;
    try {
      fetched = await fetchLimited(configurationUrl, { method: 'GET', headers: { Accept: 'application/json' } }, limits);
    } catch (err) {
      const failure = err instanceof FetchError ? err.failure : 'unreachable';
      throw new RegistrationRefusal(failure === 'too_large' ? 'configuration_too_large' : 'configuration_unreachable', (err as Error).message);
    }
    if (fetched.status !== 200) throw new RegistrationRefusal('configuration_unreachable', lmsErrorText(fetched.status, fetched.text));
    return validateConfiguration(parseJson(fetched.text, 'configuration_not_json'), configurationUrl, opts);
  }

  async function postRegistration(platform: PlatformConfiguration, token: string): Promise<unknown> {
    const body = JSON.stringify(buildToolRegistration(opts.publicUrl, platform));
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` };
    let answer: FetchedText;
    try {
      answer = await fetchLimited(new URL(platform.registrationEndpoint), { method: 'POST', headers, body }, limits);
    } catch (err) {
      const failure = err instanceof FetchError ? err.failure : 'unreachable';
      throw new RegistrationRefusal(failure === 'too_large' ? 'registration_answer_invalid' : 'registration_failed', (err as Error).message);
    }
    if (answer.status === 401 || answer.status === 403) throw new RegistrationRefusal('token_rejected', lmsErrorText(answer.status, answer.text));
    if (answer.status < 200 || answer.status > 299) throw new RegistrationRefusal('registration_failed', lmsErrorText(answer.status, answer.text));
    return parseJson(answer.text, 'registration_answer_invalid');
  }

  /**
   * The whole flow. An issuer + client id we already know is refused rather than overwritten:
   * the endpoint is public, and an existing (perhaps active, perhaps file-managed) registration
   * must only change through the CLI or the platforms file.
   */
  async function register(configurationUrl: URL, token: string): Promise<RegistrationResult> {
    const platform = await fetchConfiguration(configurationUrl);
    const answer = readRegistrationAnswer(await postRegistration(platform, token));
    if (await platforms.findPlatform(platform.issuer, answer.clientId)) {
      throw new RegistrationRefusal('already_registered', `${platform.issuer} · ${answer.clientId}`);
    }
    const saved = await platforms.upsertPlatform(toPlatformInput(platform, answer, opts.autoActivate), 'dynamic');
    return { platform: saved, pending: saved.status === 'pending', productFamilyCode: platform.productFamilyCode };
  }

  return { register };
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
