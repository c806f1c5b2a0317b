export * from './invitation';
export * from './relay-origin';
