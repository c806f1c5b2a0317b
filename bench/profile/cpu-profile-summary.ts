import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuShare {
  name: string;
  /** Share of the non-idle samples, %. */
  percent: number;
}

export interface CpuProfileSummary {
  file: string;
  busySeconds: number;
  byPackage: CpuShare[];
  topFunctions: CpuShare[];
}

/** Where a process was busy: self time grouped by npm package (or app file, or node internals). */
export function summariseCpuProfiles(dir: string, top = 8): CpuProfileSummary[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  return files.map((file) => {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0)));
    const packages = new Map<string, number>();
    const functions = new Map<string, number>();
    let busy = 0;
    for (const [id, us] of selfUs) {
      const node = byId.get(id)!;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') continue;
      busy += us;
      const pkg = packageOf(url, functionName);
      packages.set(pkg, (packages.get(pkg) ?? 0) + us);
      const fn = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
      functions.set(fn, (functions.get(fn) ?? 0) + us);
    }
    const shares = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, us]) => ({ name, percent: (100 * us) / Math.max(1, busy) }));
    return { file, busySeconds: busy / 1e6, byPackage: shares(packages), topFunctions: shares(functions) };
  });
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const app = /dist\/(apps\/[^/]+|libs\/[^/]+)/.exec(url);
  if (app) return app[1];
  return shortUrl(url);
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '');
}
