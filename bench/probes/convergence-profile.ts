import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { setUpGroup } from '../../test/support/chat-stack';
import { summariseCpuProfiles } from '../profile/cpu-profile-summary';
import { startBenchSystem } from '../system/bench-system';
import { systemCpuMeter } from '../scenarios/command-throughput';

/**
 * CPU profiles of every process while a group converges (host + members joining at once, at the relays'
 * failure rate given, 0 by default):
 * `node dist/bench/probes/convergence-profile.js [members=25] [seconds=60] [faults=0]` (after `npm run build`).
 * Profiles land in test-output/convergence-profiles/<time>/<app>/; the summary is printed.
 */
async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 25);
  const limitMs = Number(process.argv[3] ?? 60) * 1000;
  const failureRate = Number(process.argv[4] ?? 0);
  const dir = join(process.cwd(), 'test-output', 'convergence-profiles', String(Date.now()));
  const profile = process.env.PROBE_NO_PROFILE !== '1';
  const system = await startBenchSystem({ label: 'probe-conv', cpuProfileDir: profile ? dir : undefined });
  const apps = new Map<number, string>([
    [system.chat.child.pid!, 'chat'],
    [system.agent.child.pid!, 'agent'],
    ...system.relays.map((r) => [r.process.child.pid!, r.name] as [number, string]),
  ]);
  const portOf = (url: string, fallback: number) => Number(new URL(url).port || fallback);
  const ports = new Map<number, string>([
    [portOf(system.redisUrl, 6379), 'redis'],
    [portOf(system.db.url, 5432), 'postgres'],
    ...system.relays.map((r) => [Number(new URL(r.url).port), `relay ${r.name}`] as [number, string]),
    [Number(new URL(system.chat.url).port), 'chat http'],
  ]);
  let before = new Map<string, number>();
  const cpu = systemCpuMeter(system);
  let joinsAt = 0;
  try {
    const names = Array.from({ length: members }, (_, i) => `M${i + 1}`);
    const setup = await setUpGroup(system.api, 'Host', names, {
      concurrentJoins: true,
      timeoutMs: 180_000,
      beforeJoins: async () => {
        if (failureRate > 0) await system.setFaults({ failureRate });
        before = socketSegments(apps);
        await cpu.start();
        joinsAt = performance.now();
      },
    });
    const pairs = (setup.all.length * (setup.all.length - 1)) / 2;
    let reached = 0;
    while (performance.now() - joinsAt < limitMs) {
      const views = await Promise.all(setup.all.map((p) => system.api.members(p.userId, setup.groupId)));
      reached = views.reduce((n, v) => n + v.filter((m: { status: string; connected: boolean }) => m.status === 'connected' && m.connected).length, 0) / 2;
      if (reached >= pairs) break;
      await new Promise((r) => setTimeout(r, 5000));
    }
    const used = await cpu.stop();
    const after = socketSegments(apps);
    const byPeer = new Map<string, number>();
    for (const [key, n] of after) {
      const [app, remotePort, localPort] = key.split('|');
      const peer = ports.get(Number(remotePort)) ?? (ports.has(Number(localPort)) ? `${ports.get(Number(localPort))} (served)` : 'other');
      const k = `${app} → ${peer}`;
      byPeer.set(k, (byPeer.get(k) ?? 0) + n - (before.get(key) ?? 0));
    }
    console.log('data segments sent over the join phase (ss -ti), per pair reached:');
    for (const [k, n] of [...byPeer].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / Math.max(1, reached)).toFixed(1)}  ${k}`);
    console.log(`host + ${members}: ${reached}/${pairs} pairs in ${((performance.now() - joinsAt) / 1000).toFixed(1)} s; CPU ms/pair ${Object.entries(used).map(([k, v]) => `${k} ${((v * 1000) / Math.max(1, reached)).toFixed(1)}`).join(', ')}`);
  } finally {
    await system.stop();
  }
  for (const app of ['chat', 'agent', 'relay0']) {
    for (const s of summariseCpuProfiles(join(dir, app), 25)) {
      console.log(`\n${app} busy ${s.busySeconds.toFixed(1)} s: ${s.byPackage.map((p) => `${p.name} ${p.percent.toFixed(0)}%`).join(', ')}`);
      for (const f of s.topFunctions) console.log(`  ${f.percent.toFixed(1)}%  ${f.name}`);
    }
  }
  console.log(`\nprofiles: ${dir}`);
}

/** data_segs_out of every established TCP socket of the given processes, by app|remote port|local port|local. */
function socketSegments(apps: Map<number, string>): Map<string, number> {
  const out = new Map<string, number>();
  const text = execSync('ss -tinpH state established', { maxBuffer: 64 << 20 }).toString();
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = /(\S+):(\d+)\s+(\S+):(\d+)\s+users:\(\("[^"]*",pid=(\d+)/.exec(lines[i]);
    if (!m) continue;
    const app = apps.get(Number(m[5]));
    const segs = /data_segs_out:(\d+)/.exec(lines[i + 1]);
    if (app && segs) out.set(`${app}|${m[4]}|${m[2]}|${m[1]}`, Number(segs[1]));
  }
  return out;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
