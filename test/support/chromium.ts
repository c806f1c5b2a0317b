/** Debian's Chromium (`.ci/run` installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and quiet on this machine's closed network: without the background-networking flags
 * Chromium's own connections are refused many at a time, and each start looks up Google's hosts.
 */
export const CHROMIUM_HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
