import { type Request, type Response, Router } from 'express';
import { approvePlatform } from '../platforms/dynamic-registration.service';
import { PlatformInputError, type PlatformIssue } from '../platforms/platform.schema';
import type { PlatformRecord, PlatformService } from '../platforms/platform.service';
import { asyncHandler } from '../shared/async-handler';
import { fieldErrors, platformKeySchema } from './admin.schema';
import { invalidInput, pointerTo, problem, sendProblem } from './problem';

/**
 * LMS registrations in the administration API (mounted under /admin/api behind the token):
 *   GET    /platforms  → 200 { platforms: [...] }
 *   POST   /platforms  (one registration, a list of them, or { platforms: [...] }) → 200 { platforms: [saved...] }
 *   POST   /platforms/approve  { issuer, clientId } → 200 { platform } (active; already active: unchanged) | 404
 *   DELETE /platforms?issuer=…&clientId=…  → 204 | 404
 * Approve and remove are the CLI's `approve` and `remove` (the same service functions). A
 * registration from PLATFORMS_FILE comes back at the next start unless it is taken out of the file.
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
        return sendProblem(res, problem(415, 'Unsupported Media Type', 'Send the registration (or a list of them) as application/json.'));
      }
      const shape = bodyShape(req.body);
      try {
        const saved = await platforms.upsertPlatforms(shape.list, 'admin', 'body');
        res.json({ platforms: saved.map(toJson) });
      } catch (err) {
        if (!(err instanceof PlatformInputError)) throw err;
        sendProblem(res, invalidRegistrations(err.issues, shape));
      }
    }),
  );

  router.post(
    '/platforms/approve',
    asyncHandler(async (req, res) => {
      const key = readKey(req, res, 'body');
      if (!key) return;
      const approved = await approvePlatform(platforms, key.issuer, key.clientId);
      if (!approved) return sendProblem(res, noSuchRegistration(key));
      res.json({ platform: toJson(approved) });
    }),
  );

  router.delete(
    '/platforms',
    asyncHandler(async (req, res) => {
      const key = readKey(req, res, 'query');
      if (!key) return;
      if (!(await platforms.removePlatform(key.issuer, key.clientId))) return sendProblem(res, noSuchRegistration(key));
      res.status(204).end();
    }),
  );
  return router;
}

/** `{ issuer, clientId }` from the body (approve) or the query (remove); a 400 is sent when wrong. */
function readKey(req: Request, res: Response, where: 'body' | 'query'): { issuer: string; clientId: string } | undefined {
  if (where === 'body' && !req.is('application/json')) {
    sendProblem(res, problem(415, 'Unsupported Media Type', 'Send { "issuer": …, "clientId": … } as application/json.'));
    return undefined;
  }
  const parsed = platformKeySchema.safeParse(where === 'body' ? req.body : req.query);
  if (parsed.success) return parsed.data;
  sendProblem(res, invalidInput(fieldErrors(parsed.error), where));
  return undefined;
}

const noSuchRegistration = (key: { issuer: string; clientId: string }) =>
  problem(404, 'Not Found', `No registration with issuer ${key.issuer} and client id ${key.clientId}.`);

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
    return { ...(inList ? { entry: i.entry } : {}), field: i.field, pointer: pointerTo(at), detail: i.message };
  });
  return problem(400, 'Invalid platform registration', detail, { errors });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function toJson(p: PlatformRecord): Record<string, unknown> {
  return {
    issuer: p.issuer, clientId: p.clientId, name: p.name, authUrl: p.authUrl, tokenUrl: p.tokenUrl, jwksUrl: p.jwksUrl,
    deploymentIds: p.deploymentIds, status: p.status, source: p.source, ...(p.lms ? { lms: p.lms } : {}),
  };
}
