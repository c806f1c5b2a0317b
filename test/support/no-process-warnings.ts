import { processWarnings } from './service-process';

// Run after every test file (jest.config.js setupFilesAfterEnv): a suite whose app processes printed
// a Node process warning fails, naming the process, the warning and the log to read.
afterAll(() => {
  const warnings = processWarnings().map((w) => `${w.label}: ${w.line} (see ${w.logFile})`);
  if (warnings.length > 0) throw new Error(`app processes printed ${warnings.length} process warning(s):\n  ${warnings.join('\n  ')}`);
});
