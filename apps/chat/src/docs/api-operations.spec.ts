import { API_OPERATIONS } from './api-operations';

describe('API_OPERATIONS', () => {
  it.each(Object.entries(API_OPERATIONS))('%s: every example is valid against its schema', (_key, op) => {
    if (op.body) expect(op.body.schema.safeParse(op.body.example).error).toBeUndefined();
    for (const [status, r] of Object.entries(op.responses)) {
      expect({ status, hasExample: r.example !== undefined }).toEqual({ status, hasExample: true });
      if (r.schema) expect(r.schema.safeParse(r.example).error).toBeUndefined();
    }
  });
});
