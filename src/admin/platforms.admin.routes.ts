import { type Response, Router } from 'express';
import { PlatformInputError, type PlatformIssue } from '../platforms/platform.schema';
import type { PlatformRecord, PlatformService } from '../platforms/platform.service';
import { asyncHandler } from '../shared/async-handler';
import { problem } from './admin-auth.middleware';

/**
 * LMS registrations in the administration API (mounted under /admin/api behind the token):
 *   GET  /platforms  → 200 { platforms: [...] }
 *   POST /platforms  (one registration, a list of them, or { platforms: [...] }) → 200 { platforms: [saved...] }
 * A list is validated as a whole (platform.schema.ts): one wrong entry saves nothing, and the
 * 400 answer is an RFC 9457 problem whose `errors` name each entry and field, with a JSON
 * pointer into the posted body. Registering the same issuer + client id again updates it.
 * Open edX without "LTI passports" needs one registration per LTI block: docs/admin-guide.md.
 */
export function platformsAdminRouter(platforms: PlatformService): Router {
  const router = Router();

  router.get(
    '/platforms',
    asyncHandler(async (_req, res) => {
      res.json({ platforms: (await platforms.listPlatforms()).map(toJson) });
    }),
  );

  router.post(
    '/platforms',
    asyncHandler(async (req, res) => {
      if (!req.is('application/json')) {
        return sendProblem(res, 415, problem(415, 'Unsupported Media Type', 'Send the registration (or a list of them) as application/json.'));
      }
      const shape = bodyShape(req.body);
      try {
        const saved = await platforms.upsertPlatforms(shape.list, 'admin', 'body');
        res.json({ platforms: saved.map(toJson) });
      } catch (err) {
        if (!(err instanceof PlatformInputError)) throw err;
        sendProblem(res, 400, invalidRegistrations(err.issues, shape));
      }
    }),
  );
  return router;
}

function sendProblem(res: Response, status: number, body: Record<string, unknown>): void {
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** The body as a list: a list, the platforms file's `{ "platforms": [...] }`, or one registration. */
interface BodyShape {
  list: unknown[];
  single: boolean;
  /** Where the list sits in the body, for JSON pointers. */
  prefix: string[];
}

function bodyShape(body: unknown): BodyShape {
  if (Array.isArray(body)) return { list: body, single: false, prefix: [] };
  const wrapped = (body as { platforms?: unknown } | null)?.platforms;
  if (Array.isArray(wrapped)) return { list: wrapped, single: false, prefix: ['platforms'] };
  return { list: [body], single: true, prefix: [] };
}

function invalidRegistrations(issues: PlatformIssue[], shape: BodyShape): Record<string, unknown> {
  const entries = new Set(issues.map((i) => i.entry));
  const detail = shape.single
    ? `${count(issues.length, 'problem')}; nothing was saved.`
    : `${count(issues.length, 'problem')} in ${entries.size} of ${count(shape.list.length, 'registration')}; nothing was saved.`;
  const errors = issues.map((i) => {
    const path = i.field === '(root)' ? [] : i.field.split('.');
    const inList = !shape.single && i.entry !== undefined;
    const at = inList ? [...shape.prefix, String(i.entry), ...path] : path;
    return { ...(inList ? { entry: i.entry } : {}), field: i.field, pointer: at.map((t) => `/${escapePointer(t)}`).join(''), detail: i.message };
  });
  return problem(400, 'Invalid platform registration', detail, { errors });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
/** RFC 6901: `~` and `/` inside a reference token. */
const escapePointer = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

function toJson(p: PlatformRecord): Record<string, unknown> {
  return {
    issuer: p.issuer, clientId: p.clientId, name: p.name, authUrl: p.authUrl, tokenUrl: p.tokenUrl, jwksUrl: p.jwksUrl,
    deploymentIds: p.deploymentIds, status: p.status, source: p.source, ...(p.lms ? { lms: p.lms } : {}),
  };
}
