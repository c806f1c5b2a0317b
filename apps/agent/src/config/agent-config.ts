import { DEFAULT_QUEUE_PREFIX, RELAY_BATCH_MAX_OPERATIONS } from '@gc/contracts';
import { LogFormatSchema, TRACING_ENV_SHAPE } from '@gc/observability';
import { databasePoolEnv } from '@gc/persistence';
import { QueueScaleEnv } from '@gc/queueing';
import { z } from 'zod';

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

/** Raw env var names, exactly as docs/architecture.md "Environment (spec)" lists them for the agent. */
export const AgentConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3001),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: LogFormatSchema,
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
  ...QueueScaleEnv,
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  ...databasePoolEnv(10),
  RELAY_URLS: z
    .string()
    .default('http://127.0.0.1:4000')
    .transform((raw) => raw.split(',').map((u) => u.trim().replace(/\/+$/, '')).filter((u) => u.length > 0))
    .pipe(z.array(z.string().url()).min(1, 'at least one relay URL')),
  RELAY_TIMEOUT_MS: positiveInt(3_000),
  // A relay answers in ~2-30 ms on loopback (tens more on a real network); a request with no answer
  // after 250 ms is most likely held (a stall), so a second copy costs little and saves the timeout.
  RELAY_HEDGE_MS: z.coerce.number().int().min(0).default(250),
  // Queue operations gathered per relay into one POST /batch (RelayBatcher); 1 = every operation alone.
  RELAY_BATCH_MAX_OPS: z.coerce.number().int().min(1).max(RELAY_BATCH_MAX_OPERATIONS).default(32),
  RETRY_BASE_MS: positiveInt(500),
  RETRY_FACTOR: z.coerce.number().min(1).default(1.5),
  RETRY_MAX_MS: positiveInt(30_000),
  AGENT_CONCURRENCY: positiveInt(32),
  // Failures of no known kind (not a network error, timeout, 5xx, 408 or 429) a command may meet
  // before it fails with UNKNOWN_FAILURE: such an error rarely heals, and retrying it forever holds a slot.
  UNKNOWN_ERROR_ATTEMPTS: positiveInt(10),
  ...TRACING_ENV_SHAPE,
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const AGENT_CONFIG = Symbol('AGENT_CONFIG');

export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const result = AgentConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const bad = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; ');
  throw new Error(`invalid agent configuration: ${bad}`);
}
