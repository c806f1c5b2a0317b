import { resolveLogFormat } from '@gc/observability';
import { join } from 'node:path';

export type LaunchedApp = 'relay' | 'agent' | 'chat';

/** One child process the launcher runs: which built app, under which name, with which env. */
export interface ServiceSpec {
  name: string;
  app: LaunchedApp;
  port: number;
  env: Record<string, string>;
  /** Extra addresses worth printing once the service is up. */
  links: { label: string; path: string }[];
}

export interface LaunchPlan {
  databaseUrl: string;
  services: ServiceSpec[];
  shutdownTimeoutMs: number;
}

/** `npm start` gets its own database rather than the `postgres` maintenance one; created if missing. */
export const LAUNCHER_DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/group_connections';
export const DEFAULT_RELAY_PORTS = [4000, 4001];
export const DEFAULT_AGENT_PORT = 3001;
export const DEFAULT_CHAT_PORT = 3000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;

/** Variables only the launcher reads; the apps never see them. */
const LAUNCHER_ONLY_VARS = ['RELAY_PORTS', 'RELAY_NAMES', 'AGENT_PORT', 'CHAT_PORT', 'SHUTDOWN_TIMEOUT_MS'];

export function distEntry(root: string, app: LaunchedApp): string {
  return join(root, 'dist', 'apps', app, 'src', 'main.js');
}

/**
 * Turns the launcher's environment into the services to start. Throws one readable error listing
 * every bad variable, like the apps' own config loaders.
 */
export function planLaunch(env: NodeJS.ProcessEnv, terminal: { stdoutIsTTY: boolean } = { stdoutIsTTY: false }): LaunchPlan {
  const problems: string[] = [];
  const port = (name: string, raw: string): number => {
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n < 1 || n > 65_535) {
      problems.push(`${name}: "${raw}" is not a TCP port (1..65535)`);
      return 0;
    }
    return n;
  };

  const relayPorts = env.RELAY_PORTS
    ? env.RELAY_PORTS.split(',').filter((p) => p.trim() !== '').map((p) => port('RELAY_PORTS', p))
    : DEFAULT_RELAY_PORTS;
  if (relayPorts.length === 0) problems.push('RELAY_PORTS: at least one relay port is needed');
  const relayNames = env.RELAY_NAMES
    ? env.RELAY_NAMES.split(',').map((n) => n.trim())
    : relayPorts.map((_, i) => `relay-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}`);
  if (relayNames.length !== relayPorts.length || relayNames.some((n) => n === '')) {
    problems.push(`RELAY_NAMES: needs one non-empty name per relay port (${relayPorts.length})`);
  }
  const agentPort = env.AGENT_PORT ? port('AGENT_PORT', env.AGENT_PORT) : DEFAULT_AGENT_PORT;
  const chatPort = env.CHAT_PORT ? port('CHAT_PORT', env.CHAT_PORT) : DEFAULT_CHAT_PORT;
  const shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS ? Number(env.SHUTDOWN_TIMEOUT_MS) : DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 0) {
    problems.push(`SHUTDOWN_TIMEOUT_MS: "${env.SHUTDOWN_TIMEOUT_MS}" is not a whole number of milliseconds`);
  }
  const allPorts = [...relayPorts, agentPort, chatPort];
  const duplicates = allPorts.filter((p, i) => p !== 0 && allPorts.indexOf(p) !== i);
  if (duplicates.length > 0) problems.push(`ports used twice: ${[...new Set(duplicates)].join(', ')}`);

  const databaseUrl = env.DATABASE_URL || LAUNCHER_DEFAULT_DATABASE_URL;
  try {
    new URL(databaseUrl);
  } catch {
    problems.push(`DATABASE_URL: "${databaseUrl}" is not a URL`);
  }
  if (problems.length > 0) {
    throw new Error(`invalid launcher environment:\n  - ${problems.join('\n  - ')}`);
  }

  const shared: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !LAUNCHER_ONLY_VARS.includes(key)) shared[key] = value;
  }
  shared.DATABASE_URL = databaseUrl;
  // The children write into the launcher's pipes, never a TTY of their own: the launcher decides
  // for them, so a person running `npm start` in a terminal reads pretty lines, a pipe gets JSON.
  // (An invalid LOG_FORMAT is passed on as it is: each app refuses it by name.)
  shared.LOG_FORMAT = env.LOG_FORMAT || resolveLogFormat(undefined, { isTTY: terminal.stdoutIsTTY, nodeEnv: env.NODE_ENV });
  const relayUrls = relayPorts.map((p) => `http://127.0.0.1:${p}`).join(',');

  const relays: ServiceSpec[] = relayPorts.map((p, i) => ({
    name: relayNames[i],
    app: 'relay',
    port: p,
    env: { ...shared, PORT: String(p), RELAY_NAME: relayNames[i] },
    links: [
      { label: 'metrics', path: '/metrics' },
      { label: 'fault injection', path: '/admin/faults' },
    ],
  }));
  return {
    databaseUrl,
    shutdownTimeoutMs,
    services: [
      ...relays,
      {
        name: 'agent',
        app: 'agent',
        port: agentPort,
        env: { ...shared, PORT: String(agentPort), RELAY_URLS: relayUrls },
        links: [{ label: 'metrics', path: '/metrics' }],
      },
      {
        name: 'chat',
        app: 'chat',
        port: chatPort,
        // The same relays as the agent: the chat accepts invitations naming them (the deployment contract).
        env: { ...shared, PORT: String(chatPort), RELAY_URLS: relayUrls },
        links: [
          { label: 'Bull Board', path: '/queues' },
          { label: 'API docs', path: '/docs' },
          { label: 'metrics', path: '/metrics' },
        ],
      },
    ],
  };
}
