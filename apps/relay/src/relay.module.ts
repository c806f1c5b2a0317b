import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { RelayConfig } from './config/relay-config';
import { RelayConfigModule } from './config/relay-config.module';
import { BoundsModule } from './bounds/bounds.module';
import { FaultsModule } from './faults/faults.module';
import { HealthModule } from './health/health.module';
import { RelayMetricsModule } from './metrics/relay-metrics.module';
import { RelayExceptionFilter } from './http/relay-exception.filter';
import { QueuesModule } from './queues/queues.module';
import { RelayRedisModule } from './redis/relay-redis.module';
import { SessionsModule } from './sessions/sessions.module';

@Module({})
export class RelayModule {
  static forRoot(config: RelayConfig): DynamicModule {
    return {
      module: RelayModule,
      imports: [
        RelayConfigModule.forRoot(config),
        LoggerModule.forRoot({
          // Synchronous stdout, so the last lines before Nest re-raises SIGTERM are not lost.
          pinoHttp: [
            {
              level: config.logLevel,
              base: { app: 'relay', relay: config.name },
              // One line per request, at debug: a relay under test answers thousands of them. Off
              // unless debug is on, since pino-http's per-request hook costs CPU even when filtered.
              customLogLevel: () => 'debug',
              autoLogging: config.logLevel === 'debug' || config.logLevel === 'trace',
              serializers: {
                req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
            },
            pino.destination({ dest: 1, sync: true }),
          ],
        }),
        RelayRedisModule,
        QueuesModule,
        SessionsModule,
        FaultsModule,
        BoundsModule,
        HealthModule,
        RelayMetricsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: RelayExceptionFilter }],
    };
  }
}
