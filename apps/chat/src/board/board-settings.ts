import { z } from 'zod';

/**
 * Bull Board's switches. Read-only unless BULL_BOARD_READ_ONLY=false: every action of the board
 * (retry, promote, remove, clean, add, edit, pause, obliterate...) writes job state behind the
 * chat's and the agent's backs and can break exactly-once (docs/security.md "Operator console").
 * (To be folded into ChatConfigSchema by the chat's config owner: the schema here is the same shape.)
 */
export const BoardSettingsSchema = z.object({
  BULL_BOARD_READ_ONLY: z
    .enum(['true', 'false'], { message: 'BULL_BOARD_READ_ONLY must be true or false' })
    .default('true')
    .transform((v) => v === 'true'),
  BULL_BOARD_MAX_FAILED_LOGINS: z.coerce.number().int().positive().default(10),
  BULL_BOARD_LOGIN_WINDOW_MS: z.coerce.number().int().positive().default(15 * 60_000),
});

export interface BoardSettings {
  readOnly: boolean;
  /** Failed basic-auth attempts one client address may make per window before it is refused with 429. */
  maxFailedLogins: number;
  loginWindowMs: number;
}

export function boardSettings(env: Record<string, string | undefined> = process.env): BoardSettings {
  const raw = Object.fromEntries(Object.keys(BoardSettingsSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = BoardSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    // Names and messages only, never a value.
    throw new Error(`invalid chat configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const s = parsed.data;
  return { readOnly: s.BULL_BOARD_READ_ONLY, maxFailedLogins: s.BULL_BOARD_MAX_FAILED_LOGINS, loginWindowMs: s.BULL_BOARD_LOGIN_WINDOW_MS };
}
