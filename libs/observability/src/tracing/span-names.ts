/**
 * A path with its ids replaced by `:id`, for span names: `POST /users/:id/invitations` groups every
 * user's invitations under one operation in Jaeger, where a name per user id would flood its list.
 * Ids here are UUIDs (chat) and 128-bit base64url strings (relay), or plain numbers; the query is
 * dropped (it is in the span's attributes).
 */
export function pathTemplate(url: string): string {
  const path = url.split('?')[0] || '/';
  return path
    .split('/')
    .map((segment) => (/^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{20,})$/i.test(segment) ? ':id' : segment))
    .join('/');
}

/** `METHOD /path/:id` for an HTTP span, from what a server or client request knows. */
export function httpSpanName(method: string | undefined, url: string | undefined): string {
  return `${(method ?? 'GET').toUpperCase()} ${pathTemplate(url ?? '/')}`;
}
