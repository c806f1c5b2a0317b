import { Module } from '@nestjs/common';
import { AgentMetrics } from './agent-metrics';
import { MetricsController } from './metrics.controller';
import { RelayRequestObserver } from './relay-request-observer';
import { RetryProgressReporter } from './retry-progress';

/** GET /metrics in Prometheus text format, and retry progress on jobs. MeteredCommandExecutor is provided by the root module. */
@Module({
  controllers: [MetricsController],
  providers: [AgentMetrics, RelayRequestObserver, RetryProgressReporter],
  exports: [AgentMetrics, RetryProgressReporter],
})
export class AgentMetricsModule {}
