/**
 * Group names as people type them: surrounding and repeated spaces carry no meaning, and
 * "Lab A" and "lab a" are the same group to a teacher, so uniqueness is decided on the key.
 * NFC keeps Latvian letters typed as base + combining mark equal to the precomposed ones.
 */
export const GROUP_NAME_MAX = 100;

export function normalizeGroupName(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function groupNameKey(name: string): string {
  return normalizeGroupName(name).toLowerCase();
}
