import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { API_OPERATIONS, ApiOperationDoc } from './api-operations';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

type Schema = Record<string, unknown>;
const toSchema = (schema: z.ZodType): Schema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
};

/**
 * The routes come from the controllers (SwaggerModule scans them); bodies and answers come from
 * API_OPERATIONS, because the controllers validate with zod pipes rather than DTO classes.
 * Returns the routes that have no entry there.
 */
export function buildOpenApiDocument(app: INestApplication): { document: OpenAPIObject; undocumented: string[] } {
  const config = new DocumentBuilder()
    .setTitle('group-connections chat API')
    .setDescription(
      'Users, contacts and groups whose members connect to each other over flaky relays. Every command-backed call answers 202 at once; ' +
        'progress is read back with GET. Errors are 4xx {error, message}. Ids are uuids; an id of another user\'s object is a 404.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'The token POST /users answered for that user' }, USER_TOKEN)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const undocumented: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const doc = API_OPERATIONS[`${method.toUpperCase()} ${path}`];
      if (!doc) {
        undocumented.push(`${method.toUpperCase()} ${path}`);
        continue;
      }
      describe(operation, doc);
      if (path.startsWith('/users/{userId}')) authenticated(operation);
    }
  }
  return { document, undocumented };
}

const USER_TOKEN = 'userToken';
const Unauthorized = z.object({ error: z.literal('unauthorized'), message: z.string() });

/** The API's rule: every /users/{userId}/... call needs that user's bearer token. */
function authenticated(operation: NonNullable<OpenAPIObject['paths'][string]['get']>): void {
  operation.security = [{ [USER_TOKEN]: [] }];
  operation.responses['401'] = {
    description: 'No token, a malformed one or an unknown one',
    content: { 'application/json': { schema: toSchema(Unauthorized), example: { error: 'unauthorized', message: 'unknown token' } } },
  };
}

function describe(operation: NonNullable<OpenAPIObject['paths'][string]['get']>, doc: ApiOperationDoc): void {
  operation.summary = doc.summary;
  operation.tags = [doc.tag];
  if (doc.body) {
    operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(doc.body.schema), example: doc.body.example } } };
  }
  if (doc.query) {
    const shape = toSchema(doc.query) as { properties?: Record<string, Schema>; required?: string[] };
    const query = Object.entries(shape.properties ?? {}).map(([name, schema]) => ({ name, in: 'query' as const, required: shape.required?.includes(name) ?? false, schema }));
    operation.parameters = [...(operation.parameters ?? []).filter((p) => !('in' in p) || p.in !== 'query'), ...query];
  }
  operation.responses = Object.fromEntries(
    Object.entries(doc.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.schema || r.example !== undefined
          ? { content: { 'application/json': { ...(r.schema ? { schema: toSchema(r.schema) } : {}), ...(r.example !== undefined ? { example: r.example } : {}) } } }
          : {}),
      },
    ]),
  );
}
