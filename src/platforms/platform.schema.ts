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

/** The platforms file: either an array or `{ "platforms": [...] }`. */
export const platformsFileSchema = z.union([
  z.array(platformInputSchema),
  z.object({ platforms: z.array(platformInputSchema) }).transform((o) => o.platforms),
]);

export function normalizePlatform(input: z.output<typeof platformInputSchema>): PlatformRegistration {
  return { ...input, name: input.name ?? new URL(input.issuer).host };
}
