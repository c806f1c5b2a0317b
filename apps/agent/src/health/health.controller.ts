import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AGENT_CONFIG, AgentConfig } from '../config/agent-config';
import { EventPublisher } from '../events/event-publisher';
import { RelaySessions } from '../inbound/relay-sessions';
import { RelayClient } from '../relay/relay-client';

/** 200 when Redis and Postgres answer. Relays are reported for information only: one relay down
 *  stalls only its connections, so it must not make the agent look dead. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly events: EventPublisher,
    private readonly relays: RelayClient,
    private readonly sessions: RelaySessions,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 3_000 }),
      async () => {
        const redis = this.indicators.check('redis');
        try {
          await this.events.ping();
          return redis.up();
        } catch (err) {
          return redis.down({ message: err instanceof Error ? err.message : String(err) });
        }
      },
      async () => {
        const relays = await Promise.all(
          this.config.RELAY_URLS.map(async (url) => ({
            url,
            reachable: await this.relays.isHealthy(url),
            streaming: this.sessions.isConnected(url),
          })),
        );
        return this.indicators.check('relays').up({ relays });
      },
    ]);
  }
}
