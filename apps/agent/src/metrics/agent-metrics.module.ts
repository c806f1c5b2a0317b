import { Module } from '@nestjs/common';
import { AgentMetrics } from './agent-metrics';
import { MetricsController } from './metrics.controller';
import { RelayRequestObserver } from './relay-request-observer';

/** GET /metrics in Prometheus text format. MeteredCommandExecutor is provided by the root module. */
@Module({
  controllers: [MetricsController],
  providers: [AgentMetrics, RelayRequestObserver],
  exports: [AgentMetrics],
})
export class AgentMetricsModule {}
