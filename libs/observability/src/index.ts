export * from './logging/app-logger';
export * from './logging/log-format';
export * from './logging/log-redaction';
