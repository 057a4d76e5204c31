import { z } from 'zod';

/** "Retry now" for everyone, or for one student (the row's button sends their LMS user id). */
export const retrySchema = z.object({
  userId: z.string().trim().max(255, 'form.too_long').optional().transform((v) => (v ? v : undefined)),
});
