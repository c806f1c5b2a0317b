import { DEFAULT_QUEUE_PREFIX } from '@gc/contracts';
import { LogFormatSchema, TRACING_ENV_SHAPE } from '@gc/observability';
import { databasePoolEnv } from '@gc/persistence';
import { QueueScaleEnv } from '@gc/queueing';
import { z } from 'zod';

const positiveMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Raw env var names, as docs/architecture.md lists them for the chat. */
export const ChatConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: LogFormatSchema,
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be redis://host:port[/db]').default('redis://127.0.0.1:6379/0'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
  ...QueueScaleEnv,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be postgres://...').default('postgres://postgres@127.0.0.1:5432/postgres'),
  ...databasePoolEnv(20),
  RECONCILE_INTERVAL_MS: positiveMs(5_000),
  RECONCILE_STALE_MS: positiveMs(15_000),
  /**
   * A handshake our side finished its part of (a JOIN sent, an ALLOW done) whose peer has not answered
   * for this long is given up: the connection, and what it was for, fail with the reason, instead of
   * waiting (and being re-subscribed) for ever. A day by default: far beyond any outage we recover from.
   */
  HANDSHAKE_TIMEOUT_MS: positiveMs(24 * 60 * 60_000),
  /**
   * The deployment contract: the same list the agents get — "this deployment's own relays", the only internal
   * (loopback, private, link-local) addresses an invitation may name (see libs/contracts invitation).
   */
  RELAY_URLS: z
    .string()
    .default('http://127.0.0.1:4000')
    .transform((raw) => raw.split(',').map((u) => u.trim().replace(/\/+$/, '')).filter((u) => u.length > 0))
    .pipe(z.array(z.string().url()).min(1, 'at least one relay URL')),
  // Re-introduction of a member pair whose introduction failed for good: attempts, then a capped backoff.
  INTRO_RETRY_ATTEMPTS: z.coerce.number().int().min(0).max(20).default(3),
  INTRO_RETRY_BASE_MS: positiveMs(5_000),
  INTRO_RETRY_MAX_MS: positiveMs(60_000),
  BULL_BOARD_USER: z.string().min(1).default('admin'),
  BULL_BOARD_PASSWORD: z.string().min(1).optional(),
  ...TRACING_ENV_SHAPE,
});
export type ChatConfig = z.infer<typeof ChatConfigSchema>;

export const CHAT_CONFIG = Symbol('CHAT_CONFIG');

export function loadChatConfig(env: NodeJS.ProcessEnv = process.env): ChatConfig {
  // An empty variable means "not set", so defaults apply.
  const raw = Object.fromEntries(Object.keys(ChatConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = ChatConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(raw[String(i.path[0])])})`);
  throw new Error(`invalid chat configuration:\n${lines.join('\n')}`);
}
