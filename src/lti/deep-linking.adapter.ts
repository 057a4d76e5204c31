import type { Response } from 'express';
import { Provider } from 'ltijs';
import { Refusal } from '../shared/errors';

/**
 * LTI Deep Linking through ltijs: reads the request's deep_linking_settings from the launch
 * ltijs restored for this request, and signs the LtiDeepLinkingResponse with the tool key the
 * LMS knows from our /keys (ltijs's createDeepLinkingMessage: iss = client id, aud = issuer,
 * nonce, deployment id, message type, version, and the request's `data` echoed).
 *
 * We render the return form ourselves instead of ltijs's createDeepLinkingForm: its page
 * submits with an inline script, which our CSP (script-src 'self') forbids. We never pass
 * ltijs an error message either: it writes that claim under a key with a trailing space.
 */

export interface DeepLinkingRequest {
  /** Where the signed response is POSTed (http or https only). */
  returnUrl: string;
  /** Content types the LMS accepts (`accept_types`). */
  acceptTypes: string[];
  acceptsResourceLink: boolean;
}

/** An LTI Deep Linking 2.0 `ltiResourceLink` content item (the parts we send). */
export interface LtiResourceLinkItem {
  type: 'ltiResourceLink';
  title: string;
  text?: string;
  url: string;
  /** Values may hold LMS substitution variables such as `$User.username`. */
  custom?: Record<string, string>;
  /** Makes the LMS create the gradebook column (Moodle does, from scoreMaximum). */
  lineItem?: { scoreMaximum: number; label: string; resourceId?: string; tag?: string };
}

interface LtijsDeepLinkingContext {
  messageType?: unknown;
  deepLinkingSettings?: { deep_link_return_url?: unknown; accept_types?: unknown };
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

/** The request's settings when this launch is a deep-linking request; undefined otherwise. */
export function deepLinkingRequest(res: Response): DeepLinkingRequest | undefined {
  const context = res.locals.context as LtijsDeepLinkingContext | undefined;
  if (context?.messageType !== 'LtiDeepLinkingRequest') return undefined;
  const settings = context.deepLinkingSettings;
  const returnUrl = settings?.deep_link_return_url;
  if (typeof returnUrl !== 'string' || !isHttpUrl(returnUrl)) return undefined;
  const types = Array.isArray(settings?.accept_types) ? settings.accept_types : [];
  const acceptTypes = types.filter((t): t is string => typeof t === 'string');
  return { returnUrl, acceptTypes, acceptsResourceLink: acceptTypes.includes('ltiResourceLink') };
}

type DeepLinkingService = (typeof Provider)['DeepLinking'];

/** The signed LtiDeepLinkingResponse JWT for the current deep-linking launch. */
export async function signDeepLinkingResponse(
  res: Response,
  items: LtiResourceLinkItem[],
  service: () => DeepLinkingService = () => Provider.DeepLinking,
): Promise<string> {
  try {
    return await service().createDeepLinkingMessage(res.locals.token, items.map((item) => ({ ...item })));
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (message === 'PLATFORM_NOT_FOUND') throw new Refusal('unregistered_platform', 'DEEP_LINKING_PLATFORM_NOT_FOUND');
    if (message === 'PLATFORM_NOT_ACTIVATED') throw new Refusal('platform_inactive', 'DEEP_LINKING_PLATFORM_NOT_ACTIVATED');
    throw err;
  }
}
