import { AGENT_COMMANDS_QUEUE } from '@gc/contracts';
import { InjectShardedQueue, ShardedQueue } from '@gc/queueing';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectShardedQueue(AGENT_COMMANDS_QUEUE) private readonly queue: ShardedQueue,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.postgres.pingCheck('postgres', { timeout: 2_000 }), () => this.redis()]);
  }

  private async redis() {
    const indicator = this.indicators.check('redis');
    try {
      // Any round trip will do; with no retry limit on the connection, a timeout stands for "down".
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        // Every shard: on a Cluster each may sit on another master.
        Promise.all(this.queue.shards.map((shard) => shard.getJobCounts('waiting'))),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2_000))),
      ]).finally(() => clearTimeout(timer));
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
