export * from './pg-client-errors';
export * from './migrated-data-source';
