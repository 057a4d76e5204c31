/**
 * Checks answers of the administration API against its OpenAPI document (src/admin/openapi.ts).
 * A small JSON Schema validator for the subset the document uses (type with 'null', properties,
 * required, additionalProperties: false, items, enum, oneOf, $ref, minimum/maximum,
 * minLength/maxLength, minItems, pattern, format date-time/uri): no ajv in node_modules, and
 * this subset is all the document may use (unknown keywords fail the check, see KNOWN).
 */
import { adminOpenApiDocument } from '../../../src/admin/openapi';

type Schema = Record<string, unknown>;
export type OpenApiDoc = ReturnType<typeof adminOpenApiDocument> & { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema>; responses: Record<string, Schema> } };

export const KNOWN = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'oneOf', '$ref', 'minimum', 'maximum',
  'minLength', 'maxLength', 'minItems', 'pattern', 'format', 'description', 'default',
]);

export function loadDoc(publicUrl = 'http://tool.test'): OpenApiDoc {
  return adminOpenApiDocument(publicUrl) as OpenApiDoc;
}

function resolve(doc: OpenApiDoc, schema: Schema): Schema {
  const r = schema.$ref;
  if (typeof r !== 'string') return schema;
  const m = /^#\/components\/(schemas|responses)\/(\w+)$/.exec(r);
  const target = m ? (doc.components[m[1] as 'schemas' | 'responses'][m[2] as string] as Schema | undefined) : undefined;
  if (!target) throw new Error(`unresolvable $ref ${r}`);
  return resolve(doc, target);
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
const isDateTime = (v: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v));
const isUri = (v: string) => {
  try {
    return new URL(v).protocol.length > 0;
  } catch {
    return false;
  }
};

/** Every problem of `value` against `schema`, as `pointer: message` lines; [] when it conforms. */
export function validate(doc: OpenApiDoc, schemaIn: Schema, value: unknown, at = ''): string[] {
  const schema = resolve(doc, schemaIn);
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) return [`${at}: the schema uses "${k}", which this validator does not know`];
  const errs: string[] = [];
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => validate(doc, s, value, at).length === 0).length;
    if (passing !== 1) errs.push(`${at}: matches ${passing} of oneOf's ${schema.oneOf.length} schemas`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...errs, `${at}: ${JSON.stringify(value)} is not ${types.join(' or ')}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errs.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errs.push(`${at}: ${value} < ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errs.push(`${at}: ${value} > ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errs.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) errs.push(`${at}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errs.push(`${at}: does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !isDateTime(value)) errs.push(`${at}: ${value} is not a date-time`);
    if (schema.format === 'uri' && !isUri(value)) errs.push(`${at}: ${value} is not a URI`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errs.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => errs.push(...validate(doc, schema.items as Schema, item, `${at}/${i}`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) errs.push(`${at}: "${key}" is required`);
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) errs.push(...validate(doc, props[key], v, `${at}/${key}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: "${key}" is not in the schema`);
    }
  }
  return errs;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Problems of one answer of `method path` (the document's path template) against the document:
 * its status must be listed, its content type and body must be the listed ones.
 */
export function checkAnswer(doc: OpenApiDoc, method: string, template: string, res: Answer): string[] {
  const op = doc.paths[template]?.[method.toLowerCase()] as { responses: Record<string, Schema> } | undefined;
  if (!op) return [`${method} ${template} is not in the document`];
  const listed = op.responses[String(res.status)];
  if (!listed) return [`${method} ${template} answered ${res.status}, which the document does not list`];
  const response = resolve(doc, listed);
  const content = response.content as Record<string, { schema: Schema }> | undefined;
  const type = (res.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!content) return res.status === 204 || type === '' ? [] : [`${method} ${template} ${res.status}: a body (${type}) the document does not describe`];
  const media = content[type];
  if (!media) return [`${method} ${template} ${res.status}: content type "${type}", the document lists ${Object.keys(content).join(', ')}`];
  return validate(doc, media.schema, res.body).map((e) => `${method} ${template} ${res.status} body${e}`);
}
