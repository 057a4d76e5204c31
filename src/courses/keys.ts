import { createHash } from 'node:crypto';

/**
 * Deterministic ids: a course is (issuer, client id, context id) and an activity is
 * (course, resource link id). Hashing them gives stable, URL-safe ids that the launch-context
 * middleware can compute from the launch alone, without a database lookup.
 */
function digest(parts: string[]): string {
  // JSON encoding keeps ("a|b","c") and ("a","b|c") apart.
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

/** A launch without a context claim is valid: the resource link then stands for the course. */
export function courseKey(issuer: string, clientId: string, contextId: string | undefined, resourceLinkId: string | undefined): string {
  const scope = contextId !== undefined ? ['context', contextId] : ['resource-link', resourceLinkId ?? ''];
  return digest(['course', issuer, clientId, ...scope]);
}

export function activityKey(courseId: string, resourceLinkId: string): string {
  return digest(['activity', courseId, resourceLinkId]);
}
