/** What one `npm run bench` run does; defaults are the full run (~10 minutes), `--quick` the ~2-minute variant. */
export interface BenchOptions {
  quick: boolean;
  only: Set<string> | null;
  /** CREATE commands in the throughput run (ours and the baseline each). */
  commands: number;
  /** Concurrent HTTP requests driving the throughput run. */
  concurrency: number;
  /** CREATE commands of the single-user run (one user, a bot or business account), ours and the naive peer each. */
  singleUserCommands: number;
  /** Concurrent callers of the single-user run. */
  singleUserConcurrency: number;
  /** Agent + chat replica counts of the replicas section (each count n runs n agents and n chats). */
  replicas: number[];
  /**
   * CPU caps of the replicas section, in cores per agent and per chat (0: uncapped). Each cap runs
   * every replica count: uncapped shows the CPU per command, capped whether a replica adds throughput.
   */
  replicaCpu: number[];
  /** Round trips sampled one at a time (unloaded) and under load. */
  latencySamples: number;
  loadedSeconds: number;
  groupSizes: number[];
  faultRates: number[];
  /** Connections the agent holds when its RSS is read; the 10k figure is extrapolated linearly from it unless it is ≥ 10k. */
  memoryConnections: number;
  /** Run agent and chat with --cpu-prof and summarise the profiles. */
  profile: boolean;
  out: string | null;
  /** Extra env for every chat / agent the bench starts (to measure an env default's effect). */
  chatEnv: Record<string, string>;
  agentEnv: Record<string, string>;
}

export const SCENARIOS = ['baseline', 'throughput', 'single-user', 'latency', 'memory', 'recovery', 'convergence', 'replicas', 'profile'] as const;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument "${arg}"; flags: --quick --only=a,b --commands=N --concurrency=N --single-user-commands=N --single-user-concurrency=N --replicas=1,2,3 --replica-cpu=0,0.1 --latency-samples=N --loaded-seconds=N --groups=10,25,50 --faults=0,0.3 --memory=N --no-profile --out=path|--no-out --chat-env=K=V,K=V --agent-env=K=V`);
    flags.set(m[1], m[2] ?? 'true');
  }
  const quick = flags.get('quick') === 'true';
  const int = (name: string, full: number, fast: number) => {
    const raw = flags.get(name);
    const value = raw === undefined ? (quick ? fast : full) : Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
    return value;
  };
  const list = (name: string, full: number[], fast: number[]) => {
    const raw = flags.get(name);
    if (raw === undefined) return quick ? fast : full;
    const values = raw.split(',').map(Number);
    if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`--${name} must be a comma-separated list of numbers, got "${raw}"`);
    return values;
  };
  const only = flags.get('only');
  if (only) {
    for (const s of only.split(',')) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario "${s}" (${SCENARIOS.join(', ')})`);
  }
  return {
    quick,
    only: only ? new Set(only.split(',')) : null,
    commands: int('commands', 500, 300),
    concurrency: int('concurrency', 32, 32),
    singleUserCommands: int('single-user-commands', 1000, 300),
    singleUserConcurrency: int('single-user-concurrency', 50, 50),
    replicas: list('replicas', [1, 2, 3], [1, 2]).map((n) => {
      if (!Number.isInteger(n) || n < 1) throw new Error(`--replicas must list positive integers, got ${n}`);
      return n;
    }),
    replicaCpu: list('replica-cpu', [0, 0.1], [0]),
    latencySamples: int('latency-samples', 100, 50),
    loadedSeconds: int('loaded-seconds', 10, 5),
    groupSizes: list('groups', [10, 25, 50], [10]),
    faultRates: list('faults', [0, 0.3], [0, 0.3]),
    // Quick: above what throughput, single-user and latency leave behind (~1,000), so the top-up has a slope.
    memoryConnections: int('memory', 10_000, 1_500),
    profile: flags.get('no-profile') !== 'true',
    chatEnv: envList(flags.get('chat-env')),
    agentEnv: envList(flags.get('agent-env')),
    out: flags.get('no-out') === 'true' ? null : (flags.get('out') ?? (quick ? null : 'docs/benchmarks.md')),
  };
}

export function wants(opts: BenchOptions, scenario: (typeof SCENARIOS)[number]): boolean {
  return opts.only === null || opts.only.has(scenario);
}

function envList(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  return Object.fromEntries(
    raw.split(',').map((pair) => {
      const cut = pair.indexOf('=');
      if (cut <= 0) throw new Error(`expected K=V in "${pair}"`);
      return [pair.slice(0, cut), pair.slice(cut + 1)];
    }),
  );
}
