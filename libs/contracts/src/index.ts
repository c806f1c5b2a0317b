export * from './queue-names';
export * from './identifiers';
export * from './agent-command';
export * from './agent-event';
export * from './parse';
export * from './event-ids';
export * from './relay-statements';
export * from './invitation';
