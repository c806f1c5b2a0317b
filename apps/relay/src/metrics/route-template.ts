/** The relay's routes (architecture.md "Relay HTTP API"), so ids never become label values. */
const ROUTES: Array<[method: string, pattern: RegExp, template: string]> = [
  ['POST', /^\/queues\/?$/, '/queues'],
  ['PUT', /^\/queues\/[^/]+\/secure\/?$/, '/queues/:recipientId/secure'],
  ['POST', /^\/queues\/[^/]+\/messages\/?$/, '/queues/:senderId/messages'],
  ['DELETE', /^\/queues\/[^/]+\/messages\/[^/]+\/?$/, '/queues/:recipientId/messages/:msgId'],
  ['DELETE', /^\/queues\/[^/]+\/?$/, '/queues/:recipientId'],
  ['POST', /^\/batch\/?$/, '/batch'],
  ['GET', /^\/sessions\/stream\/?$/, '/sessions/stream'],
  ['POST', /^\/sessions\/[^/]+\/subscriptions\/?$/, '/sessions/:sessionId/subscriptions'],
  ['GET', /^\/health\/?$/, '/health'],
  ['GET', /^\/metrics\/?$/, '/metrics'],
  ['GET', /^\/admin\/faults\/?$/, '/admin/faults'],
  ['PUT', /^\/admin\/faults\/?$/, '/admin/faults'],
];

export function routeTemplate(method: string, path: string): string {
  for (const [m, pattern, template] of ROUTES) if (m === method && pattern.test(path)) return template;
  return 'other';
}
