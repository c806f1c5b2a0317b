import { LogFormatSchema, TRACING_ENV_SHAPE } from '@gc/observability';
import { z } from 'zod';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
const DEV_ADMIN_TOKEN = 'dev-admin-token';

/** Raw env var names (docs/architecture.md "Environment"), with their defaults. */
export const RelayConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    PORT: z.coerce.number().int().min(1).max(65_535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: LogFormatSchema,
    REDIS_URL: z.string().min(1).optional(),
    RELAY_REDIS_URL: z.string().min(1).optional(),
    RELAY_ADMIN_TOKEN: z.string().min(1).optional(),
    RELAY_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'RELAY_NAME must match [A-Za-z0-9_.-]{1,64}')
      .optional(),
    ...TRACING_ENV_SHAPE,
  })
  .superRefine((env, ctx) => {
    // A production relay with the well-known dev token would let anyone break it.
    if (env.NODE_ENV === 'production' && !env.RELAY_ADMIN_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_ADMIN_TOKEN'], message: 'required when NODE_ENV=production' });
    }
  })
  .transform((env) => ({
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    redisUrl: env.RELAY_REDIS_URL ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
    adminToken: env.RELAY_ADMIN_TOKEN ?? DEV_ADMIN_TOKEN,
    name: env.RELAY_NAME ?? `relay-${env.PORT}`,
  }));

export type RelayConfig = z.output<typeof RelayConfigSchema>;

export const RELAY_CONFIG = Symbol('RELAY_CONFIG');

/** Throws one readable error listing every bad variable. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  // Empty strings count as unset, as they do in most shells' `VAR= cmd`.
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = RelayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`invalid relay configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
