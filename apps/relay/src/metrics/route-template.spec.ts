import { routeTemplate } from './route-template';

describe('routeTemplate', () => {
  it('maps every relay route to its template, ids removed', () => {
    expect(routeTemplate('POST', '/queues')).toBe('/queues');
    expect(routeTemplate('PUT', '/queues/AbC_12/secure')).toBe('/queues/:recipientId/secure');
    expect(routeTemplate('POST', '/queues/AbC_12/messages')).toBe('/queues/:senderId/messages');
    expect(routeTemplate('DELETE', '/queues/AbC_12/messages/m-1')).toBe('/queues/:recipientId/messages/:msgId');
    expect(routeTemplate('DELETE', '/queues/AbC_12')).toBe('/queues/:recipientId');
    expect(routeTemplate('POST', '/sessions/s1/subscriptions')).toBe('/sessions/:sessionId/subscriptions');
    expect(routeTemplate('GET', '/sessions/stream')).toBe('/sessions/stream');
  });

  it('puts anything else under one label', () => {
    expect(routeTemplate('GET', '/queues/AbC_12')).toBe('other');
    expect(routeTemplate('GET', '/../../etc/passwd')).toBe('other');
  });
});
