import { FAILING_PAGE_MAX } from '../grading/grade-sync-admin.service';
import { LMS_KINDS } from '../platforms/platform.schema';
import { MAX_LINK_USES } from '../platforms/registration-link';

/**
 * The OpenAPI document's components (openapi.ts): JSON Schema 2020-12 as OpenAPI 3.1 takes it.
 * Nullable values are `type: [X, 'null']`. Limits come from the code that enforces them.
 */

const str = { type: 'string' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: [schema.type, 'null'] });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const count = { type: 'integer', minimum: 0 } as const;

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties), extra: Record<string, unknown> = {}) => ({
  type: 'object', properties, required, additionalProperties: false, ...extra,
});

const platformFields = {
  issuer: { ...str, format: 'uri', description: 'The LMS issuer (iss), kept byte for byte.' },
  clientId: { ...str, minLength: 1, maxLength: 255 },
  name: { ...str, minLength: 1, maxLength: 120 },
  authUrl: { ...str, format: 'uri' },
  tokenUrl: { ...str, format: 'uri' },
  jwksUrl: { ...str, format: 'uri' },
  deploymentIds: { type: 'array', items: { ...str, minLength: 1, maxLength: 255 }, description: 'Empty: any deployment.' },
  status: { type: 'string', enum: ['active', 'pending'] },
  lms: { type: 'string', enum: [...LMS_KINDS] },
};

const linkFields = {
  id: { ...str, description: 'For DELETE /admin/api/registration-links/{id}.' },
  state: { type: 'string', enum: ['usable', 'expired', 'used_up'] },
  uses: { type: 'integer', minimum: 1, maximum: MAX_LINK_USES },
  usesLeft: { type: 'integer', minimum: 0, maximum: MAX_LINK_USES },
  createdAt: dateTime,
  expiresAt: dateTime,
  lastUsedAt: nullable(dateTime),
};

export const schemas: Record<string, unknown> = {
  Problem: object(
    {
      type: str, title: str, status: { type: 'integer', minimum: 400, maximum: 599 }, detail: str,
      errors: { type: 'array', items: ref('FieldError'), description: 'Validation problems (400), one per field.' },
      retryAfter: { type: 'integer', minimum: 1, description: 'Seconds, as in Retry-After (429).' },
    },
    ['type', 'title', 'status', 'detail'],
    { description: 'RFC 9457 problem details.' },
  ),
  FieldError: object(
    {
      entry: { ...count, description: 'The index of the registration in a posted list.' },
      field: { ...str, description: 'The field, dotted (deploymentIds.0), or (root).' },
      pointer: { ...str, description: 'RFC 6901 pointer into the body (or the query parameter).' },
      detail: str,
    },
    ['field', 'pointer', 'detail'],
  ),
  PlatformInput: object(platformFields, ['issuer', 'clientId', 'authUrl', 'tokenUrl', 'jwksUrl'], { description: 'A registration as posted (name: the issuer host when absent).' }),
  Platform: object(
    { ...platformFields, source: { type: 'string', enum: ['file', 'cli', 'admin', 'dynamic'], description: 'Who made or last saved it.' } },
    ['issuer', 'clientId', 'name', 'authUrl', 'tokenUrl', 'jwksUrl', 'deploymentIds', 'status', 'source'],
  ),
  PlatformKey: object({ issuer: platformFields.issuer, clientId: platformFields.clientId }),
  PlatformList: object({ platforms: { type: 'array', items: ref('Platform') } }),
  LinkOptions: object(
    {
      expires: { ...str, pattern: '^\\d{1,4}[mhdMHD]$', default: '7d', description: 'Lifetime: 30m, 12h, 7d… from 10 minutes to 90 days.' },
      uses: { type: 'integer', minimum: 1, maximum: MAX_LINK_USES, default: 1, description: 'Registrations the link allows.' },
    },
    [],
  ),
  RegistrationLink: object(linkFields),
  CreatedRegistrationLink: object(
    { ...linkFields, url: { ...str, format: 'uri', description: '<PUBLIC_URL>/register?rt=…; shown only in this answer (only its hash is stored).' } },
  ),
  FailingActivity: object({
    issuer: str, clientId: str, contextId: nullable(str), courseTitle: str, courseLabel: str, activityId: str, activityTitle: str,
    failing: { type: 'integer', minimum: 1 }, failingSince: nullable(dateTime),
    lastError: object({ reason: str, status: nullable({ type: 'integer' }), message: nullable(str), at: nullable(dateTime) }),
    nextAttemptAt: nullable(dateTime),
  }),
  LeaseGroup: object({
    job: { ...str, description: 'grade-sync, auto-mark, grade-line-item, migrations…' },
    instance: { ...str, description: '<host>:<pid>' },
    holder: { ...str, description: '<worker>:<host>:<pid>:<random>, one per worker start.' },
    held: { type: 'integer', minimum: 1 },
    until: dateTime,
  }),
  Status: object({
    checkedAt: dateTime,
    answeredBy: { ...str, description: 'The instance that answered: <host>:<pid>.' },
    database: { type: 'string', enum: ['up', 'down'] },
    schema: nullable(object({ stored: count, code: count, upToDate: { type: 'boolean' } })),
    workers: nullable(object({ leases: { type: 'array', items: ref('LeaseGroup') }, lapsed: count })),
    gradeSync: nullable(object({
      pending: count, failed: count, done: count, due: count, oldestWaitingSince: nullable(dateTime), oldestWaitingSeconds: count,
    })),
    autoMark: nullable(object({ due: count, dueCapped: { type: 'boolean' }, oldestEndedAt: nullable(dateTime), lagSeconds: count })),
  }, undefined, { description: 'Without the database (database: down) every other part is null.' }),
};

export const FAILING_LIMIT = { type: 'integer', minimum: 1, maximum: FAILING_PAGE_MAX, default: 50 };
