/**
 * Paths pino replaces with "[redacted]" wherever they occur in a log line: credentials in request
 * headers (basic auth of Bull Board, the relay's admin token), and any field named like a secret
 * one level down (a logged config or request object). Tokens never reach a log.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-admin-token"]',
  'authorization',
  'token',
  'password',
  '*.token',
  '*.adminToken',
  '*.password',
  '*.authorization',
];
