import { AGENT_COMMANDS_QUEUE } from '@gc/contracts';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AgentMetrics } from './agent-metrics';
import { MetricsController } from './metrics.controller';
import { RelayRequestObserver } from './relay-request-observer';
import { RetryProgressReporter } from './retry-progress';

/** GET /metrics in Prometheus text format, and retry progress on jobs. MeteredCommandExecutor is provided by the root module. */
@Module({
  // A producer-side handle on agent-commands, only to set a retried job's progress.
  imports: [BullModule.registerQueue({ name: AGENT_COMMANDS_QUEUE })],
  controllers: [MetricsController],
  providers: [AgentMetrics, RelayRequestObserver, RetryProgressReporter],
  exports: [AgentMetrics, RetryProgressReporter],
})
export class AgentMetricsModule {}
