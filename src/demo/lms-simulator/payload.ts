/**
 * Builds LTI 1.3 id_token payloads shaped like Moodle 4.5's (fixtures/moodle/idtoken-*.json).
 */
import type { LaunchOptions, LmsProfile, MockUser } from './types';
import type { MockLmsServices } from './services';
import { AGS_SCOPES, CLAIM, fullRole } from './util';

export const DEFAULT_TEACHER: MockUser = {
  id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher', email: 'teacher1@example.com', username: 'teacher1',
  sourcedId: 'ID-teacher1', roles: ['Instructor'], status: 'Active',
};
export const DEFAULT_CONTEXT = { id: 'course-1', label: 'ATT101', title: 'ATT101 Attendance & Tools' };
export const DEFAULT_RESOURCE_LINK = {
  id: 'rl-1', title: 'Lectures', description: 'Attendance register for the lectures',
};

export interface PayloadEnv {
  url: string; issuer: string; clientId: string; deploymentId: string; toolUrl: string; services: MockLmsServices;
  profile?: LmsProfile;
}

/**
 * The user a launch acts as: explicit `opts.user` fields win, then the member with that id
 * registered for the launch's context (setMembers), then defaults (teacher-1 when no user is given;
 * a generic Instructor named after the id otherwise).
 */
export function resolveUser(env: PayloadEnv, opts: LaunchOptions, contextId: string | undefined): MockUser {
  const given = opts.user;
  const id = given?.id ?? DEFAULT_TEACHER.id;
  const member = contextId === undefined ? undefined : env.services.members.get(contextId)?.find((m) => m.id === id);
  const generic: MockUser = {
    id, givenName: 'Test', familyName: `User ${id}`, email: `${id}@example.com`, username: id, sourcedId: `ID-${id}`,
    roles: ['Instructor'],
  };
  const base = member ?? (given === undefined || id === DEFAULT_TEACHER.id ? DEFAULT_TEACHER : generic);
  const explicit = Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined));
  return { ...base, ...explicit, id };
}

function resolveRoles(opts: LaunchOptions, user: MockUser): string[] | null {
  if (opts.roles !== undefined) return opts.roles === null ? null : [...opts.roles];
  if (opts.role !== undefined) return [fullRole(opts.role)];
  return user.roles.map(fullRole);
}

export function buildLaunchPayload(env: PayloadEnv, opts: LaunchOptions & { nonce: string }): Record<string, unknown> {
  const context = opts.context === null ? null : env.services.rememberContext(opts.context ?? DEFAULT_CONTEXT);
  const user = resolveUser(env, opts, context?.id);
  const messageType = opts.messageType ?? 'LtiResourceLinkRequest';
  const deepLinking = messageType === 'LtiDeepLinkingRequest';
  const link = deepLinking || opts.resourceLink === null ? null : { ...(opts.resourceLink ?? DEFAULT_RESOURCE_LINK) };
  const roles = resolveRoles(opts, user);
  const iat = Math.floor(Date.now() / 1000) + (opts.iatOffsetSeconds ?? 0);
  const p: Record<string, unknown> = {
    nonce: opts.nonce,
    iat,
    exp: iat + 60,
    iss: env.issuer,
    aud: env.clientId,
    [CLAIM.deploymentId]: opts.deploymentId ?? env.deploymentId,
    [CLAIM.targetLinkUri]: opts.targetLinkUri ?? `${env.toolUrl}/launch`,
    sub: user.id,
    [CLAIM.lis]: {
      person_sourcedid: user.sourcedId ?? `ID-${user.id}`,
      ...(context ? { course_section_sourcedid: context.label } : {}),
    },
  };
  if (roles !== null) p[CLAIM.roles] = roles;
  if (context) p[CLAIM.context] = { id: context.id, label: context.label, title: context.title, type: ['CourseSection'] };
  p[CLAIM.messageType] = messageType;
  if (link) p[CLAIM.resourceLink] = link;
  const openedx = env.profile === 'openedx';
  const name = `${user.givenName} ${user.familyName}`.trim();
  if (openedx) Object.assign(p, { name, preferred_username: user.username ?? user.id });
  else {
    Object.assign(p, {
      given_name: user.givenName,
      family_name: user.familyName,
      name,
      [CLAIM.ext]: { user_username: user.username ?? user.id, lms: 'mock-lms' },
    });
  }
  if (user.email !== undefined) p.email = user.email;
  Object.assign(p, {
    [CLAIM.launchPresentation]: {
      locale: opts.locale ?? 'en',
      ...(deepLinking ? {} : { document_target: 'iframe', return_url: `${env.url}/return` }),
    },
    [CLAIM.toolPlatform]: {
      product_family_code: 'mock-lms', version: '1.0.0', guid: 'mock-lms-guid', name: 'Mock LMS', description: 'LTI 1.3 mock platform for tests',
    },
    [CLAIM.version]: '1.3.0',
  });
  // Open edX's deep linking request has no custom, AGS or NRPS claims.
  const bare = openedx && deepLinking;
  if (!bare) p[CLAIM.custom] = { ...(opts.custom ?? {}) };
  if (context && !bare) {
    p[CLAIM.ags] = {
      scope: [...AGS_SCOPES],
      lineitems: env.services.lineItemsUrl(context.id),
      ...(link ? { lineitem: env.services.ensureLineItem(context.id, link.id, link.title ?? link.id) } : {}),
    };
    p[CLAIM.nrps] = { context_memberships_url: env.services.membershipsUrl(context.id), service_versions: ['2.0'] };
  }
  if (deepLinking) {
    p[CLAIM.deepLinkingSettings] = {
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['frame', 'iframe', 'window'],
      accept_copy_advice: false,
      accept_multiple: true,
      accept_unsigned: false,
      auto_create: false,
      can_confirm: false,
      deep_link_return_url: `${env.url}/deeplinking/return`,
      title: 'DL',
      text: '',
    };
  }
  for (const [key, value] of Object.entries(opts.claims ?? {})) {
    if (value === undefined) delete p[key];
    else p[key] = value;
  }
  opts.mutate?.(p);
  return p;
}
