import { stdSerializers } from 'pino';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The chat's request log line names the route, not whose it was: ids in the path (userIds above all)
 * become `:id`, and the query and path params are dropped (a page cursor is an id too). Headers are redacted by the
 * shared logger (libs/observability).
 */
export const requestLogSerializers = {
  req: (req: Parameters<typeof stdSerializers.req>[0]) => {
    const { query: _query, params: _params, ...serialized } = stdSerializers.req(req) as ReturnType<typeof stdSerializers.req> & { query?: unknown; params?: unknown };
    return { ...serialized, url: String(serialized.url ?? '').split('?')[0].replace(UUID, ':id') };
  },
};
