import { z } from 'zod';

/** `npm run demo -- --members 12 --failure-rate 0.3`, plus where the running services are (env). */
export const DemoOptionsSchema = z.object({
  members: z.coerce.number().int().min(1).max(50).default(12),
  failureRate: z.coerce.number().min(0).max(1).default(0.3),
  timeoutS: z.coerce.number().int().positive().default(600),
  chatUrl: z.url().default('http://127.0.0.1:3000'),
  relayUrls: z.array(z.url()).min(1).default(['http://127.0.0.1:4000', 'http://127.0.0.1:4001']),
  agentUrl: z.url().default('http://127.0.0.1:3001'),
  relayAdminToken: z.string().min(1).default('dev-admin-token'),
});
export type DemoOptions = z.infer<typeof DemoOptionsSchema>;

export const DEMO_USAGE = `usage: npm run demo -- [--members N (1..50, default 12)] [--failure-rate R (0..1, default 0.3)] [--timeout-s S (default 600)]
env: CHAT_URL (http://127.0.0.1:3000), RELAY_URLS (http://127.0.0.1:4000,http://127.0.0.1:4001),
     AGENT_URL (http://127.0.0.1:3001, for its /metrics), RELAY_ADMIN_TOKEN (dev-admin-token)`;

const FLAGS: Record<string, 'members' | 'failureRate' | 'timeoutS'> = { '--members': 'members', '--failure-rate': 'failureRate', '--timeout-s': 'timeoutS' };

export function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv): DemoOptions {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const key = FLAGS[flag];
    if (!key) {
      problems.push(`unknown argument ${argv[i]}`);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) problems.push(`${flag} needs a value`);
    else raw[key] = value;
  }
  const nonEmpty = (v: string | undefined) => (v ? v : undefined);
  raw.chatUrl = nonEmpty(env.CHAT_URL)?.replace(/\/+$/, '');
  raw.agentUrl = nonEmpty(env.AGENT_URL)?.replace(/\/+$/, '');
  raw.relayUrls = nonEmpty(env.RELAY_URLS)
    ?.split(',')
    .map((u) => u.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  raw.relayAdminToken = nonEmpty(env.RELAY_ADMIN_TOKEN);
  const parsed = DemoOptionsSchema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  if (problems.length > 0 || !parsed.success) throw new Error(`${problems.join('\n')}\n${DEMO_USAGE}`);
  return parsed.data;
}
