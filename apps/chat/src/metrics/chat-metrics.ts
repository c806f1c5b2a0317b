import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

// From a same-tick answer to a relay outage of minutes: the round trip spans retries.
const ROUND_TRIP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const CONTINUATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The chat's Prometheus registry and the metrics its event path records. */
@Injectable()
export class ChatMetrics {
  readonly registry = new Registry();

  readonly eventsProcessed = new Counter({
    name: 'gc_chat_events_processed_total',
    help: 'agent-events jobs handled, by event type and outcome (resumed, duplicate, conf, msg, ..., error)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly commandRoundTrip = new Histogram({
    name: 'gc_chat_command_round_trip_seconds',
    help: 'From the command row being written to its completion (or permanent failure) being applied',
    labelNames: ['function', 'status'] as const,
    buckets: ROUND_TRIP_BUCKETS,
    registers: [this.registry],
  });

  readonly continuationDuration = new Histogram({
    name: 'gc_chat_continuation_duration_seconds',
    help: 'Time to apply a completion event: lock the command, run its continuation, commit',
    labelNames: ['function'] as const,
    buckets: CONTINUATION_BUCKETS,
    registers: [this.registry],
  });

  readonly queueLosses = new Counter({
    name: 'gc_chat_queue_losses_total',
    help: 'Times the reconciler found the queue Redis had lost its data (marker gone) and re-subscribed every waiting connection',
    registers: [this.registry],
  });

  constructor() {
    this.registry.setDefaultLabels({ app: 'chat' });
    collectDefaultMetrics({ register: this.registry });
  }
}
