/* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
import type { Telemetry } from 'bullmq';
import { isTracing } from './start-tracing';

let telemetry: Telemetry | undefined;

/**
 * BullMQ's own OpenTelemetry integration (bullmq-otel) when this process traces: the producer's
 * `add` span puts the trace context in the job's options (`opts.telemetry.metadata`), and the
 * worker's `process` span continues it, so a command is one trace through agent-commands and
 * agent-events. `{}` otherwise: BullMQ then runs without any telemetry code.
 */
export function queueTelemetry(): { telemetry?: Telemetry } {
  if (!isTracing()) return {};
  if (!telemetry) {
    const { BullMQOtel } = require('bullmq-otel') as typeof import('bullmq-otel');
    telemetry = new BullMQOtel({ tracerName: 'bullmq' });
  }
  return { telemetry };
}
