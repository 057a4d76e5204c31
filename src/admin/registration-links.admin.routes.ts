import { Router } from 'express';
import { LINK_OFF_NOTE, type LinkOptionIssue, type LinkOptions, LinkOptionsError, parseLinkOptions } from '../platforms/registration-link';
import { createRegistrationLinkService, type RegistrationLinkInfo } from '../platforms/registration-link.service';
import { asyncHandler } from '../shared/async-handler';
import { invalidInput, pointerTo, problem, sendProblem } from './problem';

/**
 * Registration links for LTI Dynamic Registration (src/platforms/registration-link.ts), the
 * CLI's `registration-link`, `registration-links` and `revoke-registration-link`:
 *   POST   /registration-links  { expires?: "7d", uses?: 1 } → 201 { link: {..., url}, note? }
 *   GET    /registration-links  → 200 { links: [...] } (never a URL: only the token's hash is stored)
 *   DELETE /registration-links/:id → 204 | 404
 * The same options check and defaults as the CLI (parseLinkOptions), and the same service.
 */
export interface RegistrationLinksAdminDeps {
  publicUrl: string;
  now: () => Date;
  dynamicRegistrationEnabled: boolean;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

function toJson(l: RegistrationLinkInfo): Record<string, unknown> {
  return { id: l.id, state: l.state, uses: l.uses, usesLeft: l.usesLeft, createdAt: iso(l.createdAt), expiresAt: iso(l.expiresAt), lastUsedAt: iso(l.lastUsedAt) };
}

export function registrationLinksAdminRouter(deps: RegistrationLinksAdminDeps): Router {
  const router = Router();
  const links = createRegistrationLinkService({ publicUrl: deps.publicUrl, now: deps.now });

  router.get(
    '/registration-links',
    asyncHandler(async (_req, res) => {
      res.json({ links: (await links.list()).map(toJson) });
    }),
  );

  router.post(
    '/registration-links',
    asyncHandler(async (req, res) => {
      // No (or an empty) body means the defaults, as the CLI without options (req.is: null without a body).
      const json = req.headers['content-length'] === '0' ? null : req.is('application/json');
      if (json === false) return sendProblem(res, problem(415, 'Unsupported Media Type', 'Send { "expires": "7d", "uses": 1 } as application/json (both optional).'));
      const body: unknown = json === null ? {} : req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return sendProblem(res, invalidInput([{ field: '(root)', pointer: '', detail: 'must be an object like { "expires": "7d", "uses": 1 }' }], 'body'));
      }
      let options: LinkOptions | undefined;
      let issues: LinkOptionIssue[] = [];
      try {
        options = parseLinkOptions(body);
      } catch (err) {
        if (!(err instanceof LinkOptionsError)) throw err;
        issues = err.issues;
      }
      const errors = [
        ...issues.map((i) => ({ field: i.field, pointer: pointerTo([i.field]), detail: i.message })),
        ...Object.keys(body).filter((k) => k !== 'expires' && k !== 'uses').map((k) => ({ field: k, pointer: pointerTo([k]), detail: 'is not a field of this request (expires, uses)' })),
      ];
      if (errors.length > 0 || !options) return sendProblem(res, invalidInput(errors, 'body'));
      const link = await links.create(options);
      res.status(201).json({
        link: { id: link.id, url: link.url, state: 'usable', uses: link.uses, usesLeft: link.usesLeft, createdAt: iso(link.createdAt), expiresAt: iso(link.expiresAt), lastUsedAt: null },
        ...(deps.dynamicRegistrationEnabled ? {} : { note: LINK_OFF_NOTE }),
      });
    }),
  );

  router.delete(
    '/registration-links/:id',
    asyncHandler(async (req, res) => {
      const id = req.params.id ?? '';
      if (!(await links.revoke(id))) return sendProblem(res, problem(404, 'Not Found', 'No such registration link (see GET /admin/api/registration-links).'));
      res.status(204).end();
    }),
  );
  return router;
}
