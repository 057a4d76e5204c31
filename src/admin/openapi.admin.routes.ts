import { Router } from 'express';
import { adminOpenApiDocument } from './openapi';

/**
 * GET /admin/api/openapi.json, behind the token like the rest: without ADMIN_TOKEN nothing under
 * /admin/api exists (one rule, no exception), and whoever may use the API has the token. The
 * document is no secret: it is built from src/admin/openapi.ts, in the source.
 */
export function openApiAdminRouter(publicUrl: string): Router {
  const router = Router();
  const body = JSON.stringify(adminOpenApiDocument(publicUrl), null, 2);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
