import type { Config } from '@rc/runtime';
import { Router } from 'express';
import { apiRoutes } from './api-routes';
import { openApiDocument } from './openapi-document';

/** The version of the API the paths carry (`/v1/…`), not of the product. */
const API_VERSION = '1';

/** `GET /openapi.json` (no token: it describes, it does not reveal), built once at start. */
export function createOpenApiRouter(config: Config): Router {
  const document = openApiDocument(apiRoutes(config), API_VERSION);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
