// First: OpenTelemetry must patch http and pg before anything loads them (no-op without an endpoint).
import '@gc/observability/tracing/register/chat';
import 'reflect-metadata';
import { awaitDependencies, checkPostgresReachable } from '@gc/persistence';
import { checkQueueRedis } from '@gc/queueing';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import { Logger } from 'nestjs-pino';
import { boardCredentials } from './board/board-credentials';
import { ChatModule } from './chat.module';
import { loadChatConfig } from './config/chat-config';
import { setUpApiDocs } from './docs/api-docs';
import { toApiError } from './http/api-exception.filter';

/** The API's rule: a request body over 64 KiB is refused with 413. */
export const MAX_BODY = '64kb';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadChatConfig();
    boardCredentials(config);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  // Redis ≥ 7 (the reconciler's SET … NX GET) and Postgres, with a clear line for each failure.
  try {
    const { REDIS_URL, REDIS_CLUSTER_NODES, DATABASE_URL } = config;
    await awaitDependencies([() => checkQueueRedis(REDIS_URL, REDIS_CLUSTER_NODES), () => checkPostgresReachable(DATABASE_URL)], (line) => process.stderr.write(`chat: ${line}\n`));
  } catch (err) {
    process.stderr.write(`chat cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const app = await NestFactory.create(ChatModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.use(json({ limit: MAX_BODY }));
  // body-parser reports through Express, before any Nest filter: give it the API's error shape.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const { status, body } = toApiError(err);
    res.status(status).json(body);
  });
  setUpApiDocs(app);
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
}

bootstrap().catch((err) => {
  process.stderr.write(`chat failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
