import { INestApplication, Logger } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi-document';

export const DOCS_PATH = 'docs';

/** Swagger UI at /docs, the document itself at /docs-json. */
export function setUpApiDocs(app: INestApplication): void {
  const { document, undocumented } = buildOpenApiDocument(app);
  if (undocumented.length > 0) new Logger('ApiDocs').warn(`routes without body/answer docs in docs/api-operations.ts: ${undocumented.join(', ')}`);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json` });
}
