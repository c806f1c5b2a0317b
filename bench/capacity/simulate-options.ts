import { z } from 'zod';

/** `node dist/bench/capacity/simulate.js [--flag=value …]`; every flag optional. */
export const SimulateOptions = z
  .object({
    /** Relay failure rate the day runs at (costs interpolated between the measured 0% and 30%). */
    faults: z.coerce.number().min(0).max(1).default(0.1),
    /** A costs file other than bench/capacity/measured-costs.json. */
    costs: z.string().min(1).optional(),
    /** A newer bench report (docs/benchmarks.md): its generated block's figures replace the costs file's. */
    benchReport: z.string().min(1).optional(),
    /** Busy share of a core each Node process is sized to in the peak minute. */
    targetUtilisation: z.coerce.number().gt(0).max(1).default(0.6),
    /** The replay's step, in minutes. */
    stepMinutes: z.coerce.number().int().min(1).max(60).default(1),
    /** Multipliers of the default day's join and message rates, for what-ifs. */
    joinsScale: z.coerce.number().min(0).default(1),
    messagesScale: z.coerce.number().min(0).default(1),
    /** The agent's old-space bound the plan assumes (MB). */
    agentHeapMb: z.coerce.number().int().min(64).default(160),
    /** Print the plan as JSON instead of tables. */
    json: z.coerce.boolean().default(false),
  })
  .strict();
export type SimulateOptions = z.infer<typeof SimulateOptions>;

/** `--bench-report=x` → benchReport; a bare `--json` is true. Unknown or bad flags throw, naming each. */
export function parseSimulateOptions(argv: string[]): SimulateOptions {
  const raw: Record<string, string> = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg} (flags are --name=value)`);
    raw[m[1].replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = m[2] ?? 'true';
  }
  if (raw.json === 'false') delete raw.json; // z.coerce.boolean makes any non-empty string true
  const parsed = SimulateOptions.safeParse(raw);
  if (!parsed.success) throw new Error(`bad options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'flag'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
