import { z } from 'zod';

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
});

export type PlatformInput = z.input<typeof platformInputSchema>;
export type PlatformRegistration = z.output<typeof platformInputSchema> & { name: string };

export function normalizePlatform(input: z.output<typeof platformInputSchema>): PlatformRegistration {
  return { ...input, name: input.name ?? new URL(input.issuer).host };
}

export class PlatformInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid platform registration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => `${prefix}${i.path.join('.') || '(root)'}: ${i.message}`);
}

export function parsePlatformInput(input: unknown): PlatformRegistration {
  const parsed = platformInputSchema.safeParse(input);
  if (!parsed.success) throw new PlatformInputError(describeIssues(parsed.error));
  return normalizePlatform(parsed.data);
}

/**
 * The platforms file: an array or `{ "platforms": [...] }`. Every entry is validated before
 * any is used, and every problem is reported with the entry's index.
 */
export function parsePlatformsFile(raw: unknown, label: string): PlatformRegistration[] {
  const entries: unknown = Array.isArray(raw) ? raw : (raw as { platforms?: unknown } | null)?.platforms;
  if (!Array.isArray(entries)) {
    throw new PlatformInputError([`${label}: expected a list of registrations or { "platforms": [ ... ] }`]);
  }
  const problems: string[] = [];
  const out: PlatformRegistration[] = [];
  entries.forEach((entry, index) => {
    const parsed = platformInputSchema.safeParse(entry);
    if (parsed.success) out.push(normalizePlatform(parsed.data));
    else problems.push(...describeIssues(parsed.error, `${label}: platforms[${index}].`));
  });
  if (problems.length > 0) throw new PlatformInputError(problems);
  return out;
}
