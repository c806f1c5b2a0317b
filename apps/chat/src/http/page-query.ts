import { z } from 'zod';

/**
 * The API's rule: a list is paged by `limit` (1–1000, default 100) and `after` (the last id of the
 * previous page). Query values arrive as strings.
 */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  after: z.string().min(1).max(128).optional(),
});
