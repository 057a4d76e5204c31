import { z } from 'zod';

/**
 * Which LMS a registration belongs to, when the admin says so. Only 'openedx' changes the tool's
 * behaviour (its deep linking replaces a block's content, see src/courses/deep-linking.ts);
 * the others document the registration.
 */
export const LMS_KINDS = ['openedx', 'moodle', 'canvas', 'other'] as const;
export type LmsKind = (typeof LMS_KINDS)[number];

export const platformInputSchema = z.object({
  // Kept byte for byte: ltijs matches the id_token's iss claim against it exactly.
  issuer: z.url({ protocol: /^https?$/ }),
  clientId: z.string().trim().min(1).max(255),
  name: z.string().trim().min(1).max(120).optional(),
  authUrl: z.url({ protocol: /^https?$/ }),
  tokenUrl: z.url({ protocol: /^https?$/ }),
  jwksUrl: z.url({ protocol: /^https?$/ }),
  deploymentIds: z.array(z.string().trim().min(1).max(255)).default([]),
  status: z.enum(['active', 'pending']).default('active'),
  lms: z.enum(LMS_KINDS).optional(),
});

export type PlatformInput = z.input<typeof platformInputSchema>;
export type PlatformRegistration = z.output<typeof platformInputSchema> & { name: string };

export function normalizePlatform(input: z.output<typeof platformInputSchema>): PlatformRegistration {
  return { ...input, name: input.name ?? new URL(input.issuer).host };
}

/** One problem of one field; `entry` is the index in a list of registrations (absent for a single one). */
export interface PlatformIssue {
  entry?: number;
  /** Dotted path inside the entry ('deploymentIds.0'), or '(root)'. */
  field: string;
  message: string;
}

export class PlatformInputError extends Error {
  /** Human-readable lines (CLI), one per issue. */
  readonly problems: string[];

  constructor(problems: string[], readonly issues: PlatformIssue[] = []) {
    super(`Invalid platform registration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

function issuesOf(error: z.ZodError, entry?: number): PlatformIssue[] {
  return error.issues.map((i) => ({ ...(entry === undefined ? {} : { entry }), field: i.path.join('.') || '(root)', message: i.message }));
}

export function parsePlatformInput(input: unknown): PlatformRegistration {
  const parsed = platformInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new PlatformInputError(issues.map((i) => `${i.field}: ${i.message}`), issues);
  }
  return normalizePlatform(parsed.data);
}

/**
 * A list of registrations: the platforms file, `add --from-json`, the admin API. An array or
 * `{ "platforms": [...] }`. Every entry is validated before any is used (nothing is saved when
 * one is wrong), every problem is reported with the entry's index, and an issuer + client id
 * given twice is refused (the second would silently overwrite the first).
 * `requireEntries`: an empty list is a mistake (a platforms file may legitimately be empty).
 */
export function parsePlatformsFile(raw: unknown, label: string, opts: { requireEntries?: boolean } = {}): PlatformRegistration[] {
  const entries: unknown = Array.isArray(raw) ? raw : (raw as { platforms?: unknown } | null)?.platforms;
  const fail = (issues: PlatformIssue[]): never => {
    const line = (i: PlatformIssue) => (i.entry === undefined ? `${label}: ${i.message}` : `${label}: platforms[${i.entry}].${i.field}: ${i.message}`);
    throw new PlatformInputError(issues.map(line), issues);
  };
  if (!Array.isArray(entries)) fail([{ field: '(root)', message: 'expected a list of registrations or { "platforms": [ ... ] }' }]);
  const list = entries as unknown[];
  if (opts.requireEntries && list.length === 0) fail([{ field: '(root)', message: 'the list is empty' }]);
  const issues: PlatformIssue[] = [];
  const out: PlatformRegistration[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    const parsed = platformInputSchema.safeParse(entry);
    if (!parsed.success) return void issues.push(...issuesOf(parsed.error, index));
    const key = JSON.stringify([parsed.data.issuer, parsed.data.clientId]);
    const first = seen.get(key);
    if (first !== undefined) return void issues.push({ entry: index, field: 'clientId', message: `the same issuer and client id as entry ${first}` });
    seen.set(key, index);
    out.push(normalizePlatform(parsed.data));
  });
  if (issues.length > 0) fail(issues);
  return out;
}
