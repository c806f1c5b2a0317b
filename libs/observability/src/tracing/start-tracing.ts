/* eslint-disable @typescript-eslint/no-require-imports -- required lazily on purpose, see below */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { httpSpanName } from './span-names';
import { tracingSettings } from './tracing-env';

let active = false;

/** Whether this process exports traces (startTracing found an endpoint). */
export function isTracing(): boolean {
  return active;
}

// Probes and scrapes, every few seconds from every orchestrator: not what a trace is for.
const UNTRACED_PATHS = new Set(['/health', '/metrics']);

/**
 * Starts OpenTelemetry tracing for one app when OTEL_EXPORTER_OTLP_ENDPOINT is set: a Node tracer
 * provider (W3C trace context, AsyncLocalStorage), an OTLP/HTTP exporter (json or protobuf) behind
 * a batch processor (OTEL_BSP_* honoured), and the http and pg instrumentations — so an API call,
 * its SQL, each relay request (a hedge is a second client span) and the relay's handling of it
 * join one trace; BullMQ carries the context through the queues (queue-telemetry.ts).
 *
 * It must run before anything loads `http` or `pg`: each app's main.ts imports its register file
 * first. Without an endpoint it returns before requiring any of OpenTelemetry, so an app that does
 * not trace pays nothing for it. A bad variable ends the process with a readable message, as the
 * apps' config loaders do.
 */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): void {
  let settings;
  try {
    settings = tracingSettings(defaultServiceName, env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  if (!settings) return;

  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { OTLPTraceExporter } = (
    settings.protocol === 'http/json' ? require('@opentelemetry/exporter-trace-otlp-http') : require('@opentelemetry/exporter-trace-otlp-proto')
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
        // `POST /users/:id/invitations` rather than the instrumentation's bare `POST`.
        requestHook: (span, req) => {
          const request = req as IncomingMessage | ClientRequest;
          span.updateName(httpSpanName(request.method, 'path' in request ? request.path : request.url));
        },
        // The agent's own relay-reachability probes and long-lived SSE streams go through fetch
        // (undici), which is not instrumented: no endless "stream" spans.
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  active = true;
}
