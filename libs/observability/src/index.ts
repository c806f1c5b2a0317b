export * from './logging/app-logger';
export * from './logging/log-format';
export * from './logging/log-redaction';
export * from './tracing/queue-telemetry';
export * from './tracing/start-tracing';
export * from './tracing/tracing-env';
