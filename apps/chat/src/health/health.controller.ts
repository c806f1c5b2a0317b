import { AGENT_COMMANDS_QUEUE } from '@gc/contracts';
import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Queue } from 'bullmq';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectQueue(AGENT_COMMANDS_QUEUE) private readonly queue: Queue,
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
        this.queue.getJobCounts('waiting'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2_000))),
      ]).finally(() => clearTimeout(timer));
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
