import { z } from 'zod';

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `LOG_FORMAT` in every app's config schema: unset means "pick for the reader" (below). */
export const LogFormatSchema = z.enum(LOG_FORMATS).optional();

/**
 * Pretty, coloured single lines for a person at a terminal; JSON lines for everything else (files,
 * pipes, log shippers, the launcher and the tests, which grep the JSON). `LOG_FORMAT` overrides.
 * Production is JSON even on a TTY (`docker run -t`): its logs are read by machines.
 */
export function resolveLogFormat(explicit: LogFormat | undefined, where: { isTTY: boolean; nodeEnv?: string }): LogFormat {
  if (explicit) return explicit;
  return where.isTTY && where.nodeEnv !== 'production' ? 'pretty' : 'json';
}
