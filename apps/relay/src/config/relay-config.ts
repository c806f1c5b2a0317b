import { LogFormatSchema, TRACING_ENV_SHAPE } from '@gc/observability';
import { QueueScaleEnv } from '@gc/queueing';
import { z } from 'zod';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
const DEV_ADMIN_TOKEN = 'dev-admin-token';
const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

/** Raw env var names (docs/architecture.md "Environment"), with their defaults. */
export const RelayConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    PORT: z.coerce.number().int().min(1).max(65_535).default(4000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: LogFormatSchema,
    REDIS_URL: z.string().min(1).optional(),
    RELAY_REDIS_URL: z.string().min(1).optional(),
    // host:port seeds of a Redis Cluster (design §8): when set, the relay's storage lives there (database 0)
    // instead of RELAY_REDIS_URL. Parsed as the agent's and chat's REDIS_CLUSTER_NODES are.
    RELAY_REDIS_CLUSTER_NODES: QueueScaleEnv.REDIS_CLUSTER_NODES,
    RELAY_ADMIN_TOKEN: z.string().min(1).optional(),
    RELAY_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'RELAY_NAME must match [A-Za-z0-9_.-]{1,64}')
      .optional(),
    // Bounds on what one caller (one client address) can make the relay store or do (the relay trust model, docs/security.md).
    // Defaults leave room for a 100-member group whose agents all come from one address: each member
    // holds 2 queues per other member (group + direct), ~20,000 queues in all.
    RELAY_MAX_QUEUES_PER_CALLER: positiveInt(100_000),
    RELAY_MAX_MESSAGES_PER_QUEUE: positiveInt(10_000),
    // An encrypted 64 KiB message body (the contracts' limit) is ~88 KiB of base64 plus its envelope.
    RELAY_MAX_MESSAGE_BYTES: positiveInt(131_072),
    RELAY_RATE_LIMIT_PER_SECOND: positiveInt(5_000),
    RELAY_STREAM_BUFFER_BYTES: positiveInt(8 * 1024 * 1024),
    RELAY_STREAM_STALL_MS: positiveInt(30_000),
    RELAY_BOOKKEEPING_TTL_SECONDS: positiveInt(7 * 24 * 3600),
    ...TRACING_ENV_SHAPE,
  })
  .superRefine((env, ctx) => {
    // A production relay with the well-known dev token would let anyone break it.
    if (env.NODE_ENV === 'production' && !env.RELAY_ADMIN_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_ADMIN_TOKEN'], message: 'required when NODE_ENV=production' });
    }
    // Nor with a token anyone can guess: the dev default, compose's old placeholder, or a short one.
    const token = env.RELAY_ADMIN_TOKEN;
    if (env.NODE_ENV === 'production' && token && (token === DEV_ADMIN_TOKEN || token.startsWith('change-me') || token.length < 16)) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_ADMIN_TOKEN'], message: 'must be a secret of at least 16 characters when NODE_ENV=production (not a placeholder)' });
    }
  })
  .transform((env) => ({
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    redisUrl: env.RELAY_REDIS_URL ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
    /** Non-empty: a Cluster client on these seeds replaces redisUrl. */
    redisClusterNodes: env.RELAY_REDIS_CLUSTER_NODES,
    adminToken: env.RELAY_ADMIN_TOKEN ?? DEV_ADMIN_TOKEN,
    name: env.RELAY_NAME ?? `relay-${env.PORT}`,
    bounds: {
      queuesPerCaller: env.RELAY_MAX_QUEUES_PER_CALLER,
      messagesPerQueue: env.RELAY_MAX_MESSAGES_PER_QUEUE,
      messageBytes: env.RELAY_MAX_MESSAGE_BYTES,
      requestsPerSecond: env.RELAY_RATE_LIMIT_PER_SECOND,
      streamBufferBytes: env.RELAY_STREAM_BUFFER_BYTES,
      streamStallMs: env.RELAY_STREAM_STALL_MS,
      bookkeepingTtlSeconds: env.RELAY_BOOKKEEPING_TTL_SECONDS,
    },
  }));

export type RelayConfig = z.output<typeof RelayConfigSchema>;

export const RELAY_CONFIG = Symbol('RELAY_CONFIG');

/** Throws one readable error listing every bad variable. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  // Empty strings count as unset, as they do in most shells' `VAR= cmd`.
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = RelayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    // Names and zod's messages only: a value (the admin token) never reaches the output.
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`invalid relay configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
