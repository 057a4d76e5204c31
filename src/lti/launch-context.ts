import { activityKey, courseKey } from '../courses/keys';
import { Locale, toLocale } from '../i18n/i18n';
import { isTeachingAssistant, mapRoles, ToolRole } from './roles';

/**
 * What a launch told us, in our own words (ltijs shapes stay in this folder).
 * `LaunchData` is recorded once per launch; `LaunchContext` is rebuilt on every request.
 */
export interface LaunchData {
  issuer: string;
  clientId: string;
  deploymentId: string;
  userId: string;
  messageType: string;
  ltiRoles: string[];
  /** The course role (the default teaching-assistant setting); a launch into an activity may differ (activityRole). */
  role: ToolRole;
  /** A teaching-assistant launch: the activity's setting decides its role, and it may not change that setting. */
  teachingAssistant?: boolean;
  context?: { id: string; label?: string; title?: string };
  resourceLink?: { id: string; title?: string; description?: string };
  user: { givenName: string; familyName: string; name: string; email?: string; sourcedId?: string; username?: string };
  locale?: string;
  returnUrl?: string;
  services: { agsLineItemsUrl?: string; agsLineItemUrl?: string; agsScopes?: string[]; nrpsUrl?: string };
  /** The launch's custom parameters (string values only), e.g. the grading a deep link chose. */
  custom?: Record<string, string>;
}

export interface LaunchContext {
  ltik: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  userId: string;
  courseId: string;
  /** Absent for launches without a resource link (deep linking). */
  activityId?: string;
  role: ToolRole;
  /** See LaunchData.teachingAssistant. */
  teachingAssistant?: boolean;
  locale: Locale;
  userName: string;
  returnUrl?: string;
  messageType: string;
}

/** The subset of ltijs's res.locals.token / res.locals.context we read. */
export interface LtijsToken {
  iss: string;
  user: string;
  clientId: string;
  deploymentId: string;
  userInfo?: { given_name?: string; family_name?: string; name?: string; email?: string };
}
export interface LtijsContext {
  context?: { id?: string; label?: string; title?: string };
  resource?: { id?: string; title?: string; description?: string };
  roles?: unknown[];
  custom?: Record<string, unknown>;
  launchPresentation?: { locale?: string; return_url?: string };
  endpoint?: { lineitems?: string; lineitem?: string; scope?: string[] };
  namesRoles?: { context_memberships_url?: string };
  messageType?: string;
  lis?: { person_sourcedid?: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** An LMS that does not know a substitution variable sends it verbatim (`$User.username`): that is no value. */
const substituted = (v: unknown): string | undefined => {
  const s = str(v);
  return s !== undefined && !s.startsWith('$') ? s : undefined;
};

export function toLaunchData(token: LtijsToken, ctx: LtijsContext): LaunchData {
  const roles = (ctx.roles ?? []).filter((r): r is string => typeof r === 'string');
  const info = token.userInfo ?? {};
  const custom = ctx.custom ?? {};
  const contextId = str(ctx.context?.id);
  const resourceLinkId = str(ctx.resource?.id);
  const givenName = str(info.given_name) ?? '';
  const familyName = str(info.family_name) ?? '';
  return {
    issuer: token.iss,
    clientId: token.clientId,
    deploymentId: token.deploymentId,
    userId: String(token.user),
    messageType: ctx.messageType ?? 'LtiResourceLinkRequest',
    ltiRoles: roles,
    role: mapRoles(roles),
    teachingAssistant: isTeachingAssistant(roles),
    context: contextId ? { id: contextId, label: str(ctx.context?.label), title: str(ctx.context?.title) } : undefined,
    resourceLink: resourceLinkId
      ? { id: resourceLinkId, title: str(ctx.resource?.title), description: str(ctx.resource?.description) }
      : undefined,
    user: {
      givenName,
      familyName,
      name: str(info.name) ?? [givenName, familyName].filter(Boolean).join(' '),
      email: str(info.email),
      sourcedId: str(ctx.lis?.person_sourcedid),
      // ltijs drops the `ext` claim; Moodle/Canvas can send the username as a custom parameter.
      // Open edX sends it as `preferred_username`, which ltijs drops too: see withVerifiedClaims.
      username: substituted(custom.username) ?? substituted(custom.user_username),
    },
    locale: str(ctx.launchPresentation?.locale),
    returnUrl: str(ctx.launchPresentation?.return_url),
    services: {
      agsLineItemsUrl: str(ctx.endpoint?.lineitems),
      agsLineItemUrl: str(ctx.endpoint?.lineitem),
      agsScopes: Array.isArray(ctx.endpoint?.scope) ? ctx.endpoint?.scope.filter((s) => typeof s === 'string') : undefined,
      nrpsUrl: str(ctx.namesRoles?.context_memberships_url),
    },
    // Unsubstituted variables (`$Person.address.timezone`) are no values: they never reach the tool.
    custom: Object.fromEntries(Object.entries(custom).filter((e): e is [string, string] => typeof e[1] === 'string' && !e[1].startsWith('$'))),
  };
}

/**
 * The launch with what only ltijs's verified id_token held (src/lti/verified-claims.ts).
 * The username's sources, first that has a value wins: the OIDC `preferred_username` (Open edX;
 * asserted by the platform itself for its own account), then the custom parameter `username`
 * or `user_username` (Moodle/Canvas substitute `$User.username`; a custom parameter is text a
 * course's teacher can also set, so it never overrides the platform's claim). NRPS
 * (`ext_user_username`, Moodle) sets it at roster syncs; the most recent of launch and sync is kept.
 */
export function withVerifiedClaims(data: LaunchData, claims: { preferredUsername?: string }): LaunchData {
  const username = substituted(claims.preferredUsername) ?? data.user.username;
  return username === data.user.username ? data : { ...data, user: { ...data.user, username } };
}

export function toLaunchContext(data: LaunchData, ltik: string, defaultLocale: Locale): LaunchContext {
  const courseId = courseKey(data.issuer, data.clientId, data.context?.id, data.resourceLink?.id);
  return {
    ltik,
    issuer: data.issuer,
    clientId: data.clientId,
    deploymentId: data.deploymentId,
    userId: data.userId,
    courseId,
    activityId: data.resourceLink ? activityKey(courseId, data.resourceLink.id) : undefined,
    role: data.role,
    teachingAssistant: data.teachingAssistant,
    locale: toLocale(data.locale) ?? defaultLocale,
    userName: data.user.name,
    returnUrl: data.returnUrl,
    messageType: data.messageType,
  };
}
