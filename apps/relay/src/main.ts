// First: OpenTelemetry must patch http and pg before anything loads them (no-op without an endpoint).
import '@gc/observability/tracing/register/relay';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { awaitDependencies } from '@gc/persistence/dependency-wait';
import { checkClusterRequirements } from '@gc/queueing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { RelayConfig, loadRelayConfig } from './config/relay-config';
import { CallerRateLimiter } from './bounds/caller-rate-limiter';
import { FaultInjector } from './faults/fault-injector';
import { RelayMetrics } from './metrics/relay-metrics';
import { RelayModule } from './relay.module';

/** A message body of RELAY_MAX_MESSAGE_BYTES plus its JSON envelope; bigger requests get 413 before they are read whole. */
const ENVELOPE_ROOM_BYTES = 4_096;

async function bootstrap(config: RelayConfig): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(RelayModule.forRoot(config), {
    // Signatures cover the exact bytes the sender sent, so the raw body is kept next to the parsed one.
    rawBody: true,
    bufferLogs: true,
    // Stalled requests and open streams must not hold a shutdown forever.
    forceCloseConnections: true,
  });
  app.useLogger(app.get(Logger));
  // Counts requests as clients see them, injected faults included, so it goes first.
  app.use(app.get(RelayMetrics).middleware);
  // Before body parsing and routing, so a 503 or a dead host happens before anything is read.
  app.use(app.get(FaultInjector).middleware);
  // Before body parsing: a flooding caller costs the relay as little as possible.
  app.use(app.get(CallerRateLimiter).middleware);
  app.useBodyParser('json', { limit: config.bounds.messageBytes + ENVELOPE_ROOM_BYTES });
  app.enableShutdownHooks();
  await app.listen(config.port, '0.0.0.0');
  app.get(Logger).log(`relay ${config.name} listening on ${config.port}`);
}

let config: RelayConfig;
try {
  config = loadRelayConfig();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
/**
 * On a cluster, start only once it serves every slot from masters of Redis ≥ 7, waiting for it as
 * the agent and chat do (a client on a half-made cluster answers CLUSTERDOWN to every request).
 * A single Redis is not waited for, as before: the relay starts and its /health says when Redis is away.
 */
async function awaitStorage(config: RelayConfig): Promise<void> {
  if (config.redisClusterNodes.length === 0) return;
  try {
    await awaitDependencies([() => checkClusterRequirements(config.redisClusterNodes, 5_000, 'RELAY_REDIS_CLUSTER_NODES')], (line) => process.stderr.write(`relay: ${line}\n`));
  } catch (err) {
    process.stderr.write(`relay cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

awaitStorage(config).then(() => bootstrap(config)).catch((err: unknown) => {
  process.stderr.write(`relay failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
