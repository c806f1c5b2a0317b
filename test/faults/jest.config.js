// The fault suite (`npm run test:faults`): real processes killed, Redis flushed, Postgres
// connections terminated. Same transform and aliases as the main config, only test/faults.
const main = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...main,
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  testRegex: '.*\\.fault-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // One stack shared by every case in a file: cases run in order, never two files at once on 2 cores.
  maxWorkers: 1,
  testTimeout: 480_000,
};
