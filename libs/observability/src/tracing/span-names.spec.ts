import { httpSpanName, pathTemplate } from './span-names';

describe('span names', () => {
  it('replaces the ids of a path, whatever their kind, and drops the query', () => {
    expect(pathTemplate('/users/0b0c3b4e-5a7e-4c1f-9a55-2c0e3f7d9a10/invitations')).toBe('/users/:id/invitations');
    expect(pathTemplate('/queues/q1WZb8bVnQ8a3Vv7vCzRfw/messages/17?wait=1')).toBe('/queues/:id/messages/:id');
    expect(pathTemplate('/users/0b0c3b4e-5a7e-4c1f-9a55-2c0e3f7d9a10/commands?status=pending')).toBe('/users/:id/commands');
  });

  it('keeps the words of a route', () => {
    expect(pathTemplate('/sessions/stream')).toBe('/sessions/stream');
    expect(pathTemplate('/admin/faults')).toBe('/admin/faults');
    expect(pathTemplate('')).toBe('/');
  });

  it('names an HTTP span METHOD /template', () => {
    expect(httpSpanName('post', '/users/0b0c3b4e-5a7e-4c1f-9a55-2c0e3f7d9a10/contacts')).toBe('POST /users/:id/contacts');
    expect(httpSpanName(undefined, undefined)).toBe('GET /');
  });
});
