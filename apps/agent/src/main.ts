// First: OpenTelemetry must patch http and pg before anything loads them (no-op without an endpoint).
import '@gc/observability/tracing/register/agent';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { loadAgentConfig } from './config/agent-config';
import { awaitDependencies, checkPostgresReachable } from '@gc/persistence';
import { checkQueueRedis } from '@gc/queueing';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadAgentConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  try {
    const { REDIS_URL, REDIS_CLUSTER_NODES, DATABASE_URL } = config;
    await awaitDependencies([() => checkQueueRedis(REDIS_URL, REDIS_CLUSTER_NODES), () => checkPostgresReachable(DATABASE_URL)], (line) => process.stderr.write(`agent: ${line}\n`));
  } catch (err) {
    process.stderr.write(`agent cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
}

bootstrap().catch((err) => {
  process.stderr.write(`agent failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
