import { FAILING_LIMIT, schemas } from './openapi-schemas';

/**
 * The administration API as an OpenAPI 3.1 document, served at GET /admin/api/openapi.json
 * (openapi.admin.routes.ts). test/integration/admin/openapi.test.ts checks it against the
 * routers (every route documented, nothing documented that is not routed) and validates the
 * answers of the integration tests against its schemas: change both together.
 */

const json = (schema: unknown) => ({ 'application/json': { schema } });
const problemJson = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const answer = (description: string, schema?: unknown) => ({ description, ...(schema ? { content: json(schema) } : {}) });
const refusal = (description: string) => ({ description, content: problemJson });

/** Every operation may get these: the API is off, the token is wrong, or the address failed too often. */
const common = {
  401: { $ref: '#/components/responses/Unauthorized' },
  404: { $ref: '#/components/responses/NotFound' },
  429: { $ref: '#/components/responses/TooManyFailures' },
};

function operation(summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { summary, ...extra, responses: { ...common, ...responses } };
}

const keyQuery = [
  { name: 'issuer', in: 'query', required: true, schema: { type: 'string', format: 'uri' } },
  { name: 'clientId', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } },
];

const paths = {
  '/admin/api/platforms': {
    get: operation('Every LMS registration', { 200: answer('The registrations, by issuer and client id.', ref('PlatformList')) }),
    post: operation(
      'Register or update LMSs (one, a list, or { platforms: [...] }); the list is checked as a whole',
      {
        200: answer('Saved (the same issuer + client id again: updated).', ref('PlatformList')),
        400: refusal('Nothing saved: `errors` names each entry and field.'),
        415: refusal('Not application/json.'),
      },
      {
        requestBody: {
          required: true,
          content: json({ oneOf: [ref('PlatformInput'), { type: 'array', items: ref('PlatformInput'), minItems: 1 }, { type: 'object', properties: { platforms: { type: 'array', items: ref('PlatformInput') } }, required: ['platforms'] }] }),
        },
      },
    ),
    delete: operation(
      'Remove a registration (the CLI\'s remove); one from PLATFORMS_FILE returns at the next start unless taken out of the file',
      { 204: { description: 'Removed.' }, 400: refusal('issuer or clientId missing or malformed.') },
      { parameters: keyQuery },
    ),
  },
  '/admin/api/platforms/approve': {
    post: operation(
      'Activate a pending registration (e.g. from LTI Dynamic Registration); the CLI\'s approve',
      {
        200: answer('Active now (an active one is returned unchanged).', { type: 'object', properties: { platform: ref('Platform') }, required: ['platform'], additionalProperties: false }),
        400: refusal('issuer or clientId missing or malformed.'),
        415: refusal('Not application/json.'),
      },
      { requestBody: { required: true, content: json(ref('PlatformKey')) } },
    ),
  },
  '/admin/api/registration-links': {
    get: operation('Every registration link, its state and uses left (never its URL)', {
      200: answer('Oldest first.', { type: 'object', properties: { links: { type: 'array', items: ref('RegistrationLink') } }, required: ['links'], additionalProperties: false }),
    }),
    post: operation(
      'Create a registration link for LTI Dynamic Registration (the CLI\'s registration-link)',
      {
        201: answer('The link; its URL is in this answer only.', {
          type: 'object',
          properties: { link: ref('CreatedRegistrationLink'), note: { type: 'string', description: 'Present when DYNREG_ENABLED is false.' } },
          required: ['link'], additionalProperties: false,
        }),
        400: refusal('Nothing created: `errors` names expires and/or uses.'),
        415: refusal('A body that is not application/json.'),
      },
      { requestBody: { required: false, description: 'Optional: no body means 7d and 1 use.', content: json(ref('LinkOptions')) } },
    ),
  },
  '/admin/api/registration-links/{id}': {
    delete: operation(
      'Revoke a registration link at once (the CLI\'s revoke-registration-link)',
      { 204: { description: 'Revoked (deleted).' } },
      { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] },
    ),
  },
  '/admin/api/grade-sync/failing': {
    get: operation(
      'Activities whose grades are failing to reach the LMS (still retried), one page at a time',
      {
        200: answer('A page; pass `next` as `after` for the following one.', {
          type: 'object',
          properties: { activities: { type: 'array', items: ref('FailingActivity') }, next: { type: ['string', 'null'] } },
          required: ['activities', 'next'], additionalProperties: false,
        }),
        400: refusal('limit or after out of range.'),
      },
      {
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: FAILING_LIMIT },
          { name: 'after', in: 'query', required: false, schema: { type: 'string', minLength: 1, maxLength: 200 } },
        ],
      },
    ),
  },
  '/admin/api/status': {
    get: operation('Database, schema version, worker leases, grade delivery queue, automatic marking backlog', {
      200: answer('Also 200 when the database is down (database: down, the rest null).', ref('Status')),
    }),
  },
  '/admin/api/openapi.json': {
    get: operation('This document', { 200: answer('OpenAPI 3.1.', { type: 'object', required: ['openapi', 'paths'] }) }),
  },
};

export function adminOpenApiDocument(publicUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'LTI Attendance administration API',
      version: '1',
      description: 'For an LMS administrator\'s scripts and monitoring (docs/admin-guide.md, "Administration API"). Off (404) without ADMIN_TOKEN. ' +
        'Every error is RFC 9457 problem details. 20 wrong or missing tokens per client address in 10 minutes refuse that address (429) for the rest of the window, also with the right token.',
    },
    servers: [{ url: publicUrl }],
    security: [{ adminToken: [] }],
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
      responses: {
        Unauthorized: refusal('No Authorization: Bearer <ADMIN_TOKEN>, or another token (WWW-Authenticate: Bearer realm="admin").'),
        NotFound: refusal('ADMIN_TOKEN is not set (the API is off), or no such registration or link.'),
        TooManyFailures: { ...refusal('Too many wrong or missing tokens from this address; see Retry-After.'), headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } } },
      },
      schemas,
    },
  };
}
