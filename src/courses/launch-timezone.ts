import { canonicalTimeZone } from '../sessions/local-time';

/**
 * The zone the LMS sent in the custom parameter `timezone` (Moodle and Canvas:
 * `timezone=$Person.address.timezone`, the launching user's zone), in canonical spelling.
 * Moodle sends '99' for "server default", and an LMS without the variable sends it verbatim:
 * anything that is not a known IANA zone is no zone.
 */
export function launchTimezone(custom: Record<string, string> | undefined): string | undefined {
  const raw = custom?.timezone;
  if (raw === undefined || raw.startsWith('$')) return undefined;
  return canonicalTimeZone(raw);
}
