import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ComposeHealthcheck {
  test?: string | string[];
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; target?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: number | string })[];
  expose?: (string | number)[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: ComposeHealthcheck;
  restart?: string;
  volumes?: (string | { type?: string; source?: string; target: string })[];
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(path: string): ComposeFile {
  // merge: compose files share blocks through `<<: *anchor`, as this one does.
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * Compose's interpolation against the operator's environment `env` (shell or .env): `${VAR:-d}` /
 * `${VAR-d}` fall back to d, `${VAR}` to empty, and `${VAR:?message}` / `${VAR?message}` refuse —
 * `docker compose` exits before starting anything, naming the variable — so a secret written that
 * way has no default anyone could guess.
 */
export function interpolate(value: string, env: Record<string, string | undefined> = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*)|(:?)\?([^}]*))?\}/g, (_whole, name: string, dashColon, def, qColon, message) => {
    const set = env[name];
    if (def !== undefined) return dashColon === ':' ? (set ? set : def) : (set ?? def);
    if (message !== undefined) {
      if (qColon === ':' ? !set : set === undefined) throw new ComposeRefusal(name, message);
      return set!;
    }
    return set ?? '';
  });
}

/** What `docker compose` says and does for a required variable that is unset: refuse to start. */
export class ComposeRefusal extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`required variable ${variable} is missing a value: ${message}`);
    this.name = 'ComposeRefusal';
  }
}

/** The service's environment as the container sees it (list or map form, values as strings), under the operator's `env`. */
export function serviceEnv(service: ComposeService, env: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = service.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(raw);
  for (const [key, value] of entries) out[key] = interpolate(value === null ? '' : String(value), env);
  return out;
}

export function commandWords(service: ComposeService): string[] {
  if (service.command === undefined) return [];
  return Array.isArray(service.command) ? service.command : service.command.split(/\s+/).filter(Boolean);
}

/** Container-side port of each `ports` entry ("4000", "4000:4000", "127.0.0.1:80:4000/tcp", long form). */
export function containerPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'number') return p;
    if (typeof p === 'object') return Number(p.target);
    const last = p.split(':').pop() ?? '';
    return Number(last.replace(/\/(tcp|udp)$/, ''));
  });
}

export function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d?.condition]));
}

export function healthcheckText(service: ComposeService): string {
  const test = service.healthcheck?.test;
  if (test === undefined) return '';
  return Array.isArray(test) ? test.join(' ') : test;
}
