export * from './pg-client-errors';
export * from './migrated-data-source';
export * from './sql-rows';
export * from './sql-params';
export * from './pg-connection-options';
export * from './postgres-requirements';
export * from './dependency-wait';
export * from './batcher';
