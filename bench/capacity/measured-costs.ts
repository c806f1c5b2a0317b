import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** CPU (or any per-service figure) of the four kinds of process a deployment runs. */
const ServiceMs = z.object({ chat: z.number().nonnegative(), agent: z.number().nonnegative(), relay: z.number().nonnegative(), postgres: z.number().nonnegative() }).strict();
export type ServiceMs = z.infer<typeof ServiceMs>;
export const SERVICES = ['chat', 'agent', 'relay', 'postgres'] as const satisfies readonly (keyof ServiceMs)[];

/** One group-convergence run of the bench (section 4): host + `members` joining at once. */
const ConvergenceCost = z
  .object({
    members: z.number().int().positive(),
    faultRate: z.number().min(0).max(1),
    pairsReached: z.number().int().nonnegative(),
    pairsTotal: z.number().int().positive(),
    chatCommandsPerPair: z.number().positive(),
    cpuMsPerPair: ServiceMs,
  })
  .strict();
export type ConvergenceCost = z.infer<typeof ConvergenceCost>;

/**
 * The figures of one named bench run (docs/benchmarks.md), the only measured input of the model.
 * Everything the bench does not measure is in capacity-assumptions.ts, each with its reason.
 */
export const MeasuredCosts = z
  .object({
    source: z.object({ date: z.string().min(1), command: z.string().min(1), file: z.string().min(1), machine: z.string() }).strict(),
    /** Section 2: CPU ms per CREATE of each process kind (the relays summed). */
    cpuMsPerCreate: ServiceMs,
    convergence: z.array(ConvergenceCost).min(1),
    /** Profile section: Redis commands per CREATE (MONITOR, Lua-internal commands included). */
    redisCommandsPerCreate: z.object({ bullmq: z.number().positive(), relay: z.number().nonnegative() }).strict(),
    /** "per CREATE" table of docs/benchmarks.md's prose: chat 1 (POST) + 6 (resume), agent 4. */
    postgresStatementsPerCreate: z.object({ chat: z.number().positive(), agent: z.number().positive() }).strict(),
    memory: z
      .object({
        connections: z.number().int().positive(),
        agentIdleMb: z.number().positive(),
        agentMb: z.number().positive(),
        chatIdleMb: z.number().positive(),
        chatMb: z.number().positive(),
        agentHeapMb: z.number().positive(),
        chatHeapMb: z.number().positive(),
      })
      .strict(),
    /** A query plan of the bench that reads every stored connection: what one row of such a scan costs. */
    scanPlan: z.object({ what: z.string(), ms: z.number().positive(), connections: z.number().int().positive() }).strict(),
    rowBytes: z
      .object({
        source: z.string(),
        chatCommand: z.number().positive(),
        chatConnection: z.number().positive(),
        chatReceivedMessage: z.number().positive(),
        chatGroupMessage: z.number().positive(),
        agentInbox: z.number().positive(),
      })
      .strict(),
  })
  .strict();
export type MeasuredCosts = z.infer<typeof MeasuredCosts>;

/** Beside this file in bench/ and in dist/bench/ (swc --copy-files copies it). */
export const DEFAULT_COSTS_FILE = join(__dirname, 'measured-costs.json');

/** Reads and validates a costs file; a bad one throws naming the file and each bad field. */
export function loadMeasuredCosts(path = DEFAULT_COSTS_FILE): MeasuredCosts {
  const parsed = MeasuredCosts.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`invalid measured costs in ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
