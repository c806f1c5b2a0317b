import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { appLoggerParams } from '@gc/observability';
import { LoggerModule } from 'nestjs-pino';
import { RelayConfig } from './config/relay-config';
import { RelayConfigModule } from './config/relay-config.module';
import { BatchModule } from './batch/batch.module';
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
        LoggerModule.forRoot(
          appLoggerParams({
            level: config.logLevel,
            format: config.logFormat,
            // One line per request, at debug: a relay under test answers thousands of them. Off
            // unless debug is on, since pino-http's per-request hook costs CPU even when filtered.
            autoLogging: config.logLevel === 'debug' || config.logLevel === 'trace',
            pino: {
              base: { app: 'relay', relay: config.name },
              customLogLevel: () => 'debug',
              serializers: {
                req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
            },
          }),
        ),
        RelayRedisModule,
        QueuesModule,
        BatchModule,
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
