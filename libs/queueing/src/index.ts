export * from './redis-connection';
export * from './worker-settings';
export * from './job-options';
export * from './queue-connection';
export * from './event-backoff';
export * from './redis-requirements';
