import { DEFAULT_QUEUE_PREFIX } from '@gc/contracts';
import { QueueScaleEnv } from '@gc/queueing';
import { z } from 'zod';

const positiveMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Raw env var names, as docs/architecture.md lists them for the chat. */
export const ChatConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be redis://host:port[/db]').default('redis://127.0.0.1:6379/0'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
  ...QueueScaleEnv,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be postgres://...').default('postgres://postgres@127.0.0.1:5432/postgres'),
  RECONCILE_INTERVAL_MS: positiveMs(5_000),
  RECONCILE_STALE_MS: positiveMs(15_000),
  /**
   * Design §8: the same list the agents get — "this deployment's own relays", the only internal
   * (loopback, private, link-local) addresses an invitation may name (see libs/contracts invitation).
   */
  RELAY_URLS: z
    .string()
    .default('http://127.0.0.1:4000')
    .transform((raw) => raw.split(',').map((u) => u.trim().replace(/\/+$/, '')).filter((u) => u.length > 0))
    .pipe(z.array(z.string().url()).min(1, 'at least one relay URL')),
  BULL_BOARD_USER: z.string().min(1).default('admin'),
  BULL_BOARD_PASSWORD: z.string().min(1).optional(),
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
