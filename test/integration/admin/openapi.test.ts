import type { Express } from 'express';
import supertest from 'supertest';
import { startHarness, type TestHarness } from '../../support/tool';
import { checkAnswer, KNOWN, loadDoc, type OpenApiDoc, validate } from './openapi-check';

/**
 * Issue #16 item 5: the OpenAPI document of the administration API matches the implementation.
 * The routes are read from the running tool's express app (its router stack), so a route added
 * to any router under /admin/api without documenting it fails here, and so does a documented
 * path nobody routes. The answers themselves are checked in the other tests of this folder.
 */
const TOKEN = 'admin-token-for-the-openapi-tests-01234';
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ register: false, env: { ADMIN_TOKEN: TOKEN } });
});
afterAll(async () => {
  await h?.close();
});

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  regexp: RegExp & { fast_slash?: boolean };
}

/** The path a `use()` layer is mounted at, from express 4's compiled pattern (`^\/admin\/api\/?(?=\/|$)`). */
function mountPath(layer: Layer): string {
  if (layer.regexp.fast_slash) return '';
  const m = /^\^(.*)\\\/\?\(\?=\\\/\|\$\)$/.exec(layer.regexp.source);
  if (!m?.[1]) throw new Error(`cannot read the mount path of ${layer.regexp.source}`);
  return m[1].replace(/\\\//g, '/');
}

/** Every `METHOD /path` routed under /admin/api, path parameters as OpenAPI writes them ({id}). */
function routedUnderAdminApi(app: Express): string[] {
  const out: string[] = [];
  const visit = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) if (method !== '_all') out.push(`${method.toUpperCase()} ${path}`);
      } else if (Array.isArray(layer.handle.stack)) {
        visit(layer.handle.stack, prefix + mountPath(layer));
      }
    }
  };
  visit((app as unknown as { _router: { stack: Layer[] } })._router.stack, '');
  return out.filter((r) => r.split(' ')[1]!.startsWith('/admin/api')).sort();
}

const documented = (doc: OpenApiDoc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();

/** Every schema in the document, wherever it sits, with where. */
function allSchemas(node: unknown, at: string, out: Array<[string, Record<string, unknown>]> = []): Array<[string, Record<string, unknown>]> {
  if (node === null || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'schema' && v && typeof v === 'object') out.push([`${at}/schema`, v as Record<string, unknown>]);
    allSchemas(v, `${at}/${k}`, out);
  }
  return out;
}

describe('the OpenAPI document of the administration API', () => {
  it('when the tool runs, then every route under /admin/api is documented and every documented operation is routed', () => {
    const doc = loadDoc();
    const routed = routedUnderAdminApi(h.tool.app);
    expect(routed.length).toBeGreaterThanOrEqual(10);
    expect(routed).toEqual(documented(doc));
  });

  it('when the document is read, then it is OpenAPI 3.1, every operation lists the token refusals, and every schema uses only what the checker knows and resolves', () => {
    const doc = loadDoc();
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect([path, method, Object.keys(op.responses as object)]).toEqual([path, method, expect.arrayContaining(['401', '404', '429'])]);
        const params = (op.parameters ?? []) as Array<{ name: string; in: string }>;
        for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) expect(params).toContainEqual(expect.objectContaining({ name, in: 'path' }));
      }
    }
    const schemas = [...allSchemas(doc.paths, '#/paths'), ...Object.entries(doc.components.schemas).map(([n, s]) => [`#/components/schemas/${n}`, s] as [string, Record<string, unknown>])];
    for (const [where, schema] of schemas) {
      const walk = (s: Record<string, unknown>, at: string): void => {
        for (const k of Object.keys(s)) expect([at, k, KNOWN.has(k)]).toEqual([at, k, true]);
        // Resolving every $ref: validating anything against the schema throws when one is dangling.
        expect(() => validate(doc, s, undefined)).not.toThrow();
        for (const sub of [...Object.values((s.properties ?? {}) as object), s.items, ...((s.oneOf ?? []) as object[])]) if (sub && typeof sub === 'object') walk(sub as Record<string, unknown>, at);
      };
      walk(schema, where);
    }
  });

  it('when the document is asked for with the token, then it is served as JSON naming this tool; without the token it is refused like everything else', async () => {
    const res = await supertest(h.tool.app).get('/admin/api/openapi.json').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body.servers).toEqual([{ url: h.tool.url }]);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(loadDoc(h.tool.url))));
    expect(checkAnswer(loadDoc(), 'GET', '/admin/api/openapi.json', res)).toEqual([]);
    expect((await supertest(h.tool.app).get('/admin/api/openapi.json')).status).toBe(401);
  });
});
