import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The agent's Prometheus registry and its metrics. */
@Injectable()
export class AgentMetrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'gc_agent_commands_total',
    help: 'Commands executed, by type and outcome (completed, repeated = answered again from the journal, refused = permanent ERR, transient = will be retried)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly transientRetries = new Counter({
    name: 'gc_agent_transient_retries_total',
    help: 'Commands moved back to delayed after a transient failure, by the relay that failed (none: Postgres/Redis trouble)',
    labelNames: ['relay'] as const,
    registers: [this.registry],
  });

  readonly relayRequests = new Histogram({
    name: 'gc_agent_relay_request_seconds',
    help: 'Relay HTTP requests until the answer\'s headers (or the error), by relay, method and status (error: no answer)',
    labelNames: ['relay', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly relayBatchOperations = new Histogram({
    name: 'gc_agent_relay_batch_operations',
    help: 'Queue operations per relay request, by relay: 1 for an operation sent alone by its own route, more for a POST /batch (RELAY_BATCH_MAX_OPS)',
    labelNames: ['relay'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  readonly relayHedgesSent = new Counter({
    name: 'gc_agent_relay_hedges_sent_total',
    help: 'Relay requests sent a second time because the first had no answer after RELAY_HEDGE_MS, by relay',
    labelNames: ['relay'] as const,
    registers: [this.registry],
  });

  readonly relayHedgesWon = new Counter({
    name: 'gc_agent_relay_hedges_won_total',
    help: 'Hedged relay requests whose second copy brought the answer, by relay (sent - won: the first answered after all, or both failed)',
    labelNames: ['relay'] as const,
    registers: [this.registry],
  });

  constructor() {
    this.registry.setDefaultLabels({ app: 'agent' });
    collectDefaultMetrics({ register: this.registry });
  }
}
