import { randomUUID } from 'node:crypto';
import { Response, Router } from 'express';
import type { Translate } from '../i18n/i18n';
import { type DeepLinkingRequest, type LtiResourceLinkItem, deepLinkingRequest, signDeepLinkingResponse } from '../lti/deep-linking.adapter';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { LTI_ROUTES } from '../lti/lti.adapter';
import { registeredLmsKind } from '../platforms/platform.service';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { type FieldErrors, fieldErrors } from '../shared/forms';
import { allowFormActionTo, isOpenEdxDeepLinking, resourceLinkItem } from './deep-linking';
import { DEEP_LINK_LIMITS, type RawDeepLinkingForm, deepLinkingFormSchema, rawDeepLinkingForm } from './deep-linking.schema';

/**
 * Content selection (LTI Deep Linking): a teacher adding the tool through the LMS's content
 * picker lands here (launch.routes.ts deepLinkingHandler redirects with the ltik), names the
 * new attendance activity and its grading, and we answer the LMS with a signed
 * LtiDeepLinkingResponse holding one ltiResourceLink. Nothing is stored here: the Activity is
 * created by the resource link's first launch (the grading travels in custom parameters).
 */
export const DEEP_LINKING_PATH = '/deep-linking';

export function deepLinkingRouter(deps: FeatureDeps): Router {
  const router = Router();
  // Only teachers create links; a deep-linking launch has no activity, so app.ts's guards do not apply.
  router.use(DEEP_LINKING_PATH, requireRole('teacher'));

  router.get(
    DEEP_LINKING_PATH,
    asyncHandler(async (_req, res) => {
      const request = requireDeepLinkingRequest(res);
      const openEdx = await fromOpenEdx(res, request);
      const t = res.locals.t as Translate;
      const values: RawDeepLinkingForm = { title: t('deep_linking_form.default_title'), description: '', gradeType: 'points', maxGrade: '100' };
      renderForm(res, 200, { request, openEdx }, values, {});
    }),
  );

  router.post(
    DEEP_LINKING_PATH,
    asyncHandler(async (req, res) => {
      const request = requireDeepLinkingRequest(res);
      const openEdx = await fromOpenEdx(res, request);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const raw = rawDeepLinkingForm(body);
      if (!request.acceptsResourceLink) return renderForm(res, 400, { request, openEdx }, raw, {});
      const t = res.locals.t as Translate;
      // "Cancel" answers the LMS with no content, which closes its picker without adding anything.
      // Not on Open edX: it would erase the block's current selection (deep-linking.ts). LTI Deep
      // Linking 2.0 (https://www.imsglobal.org/spec/lti-dl/v2p0, §4.2 the response message) lets
      // a tool return an empty content_items list, but requires no answer: the flow is a browser
      // visit the user may leave at any time, and the platform keeps what it has until a response
      // arrives. So on Open edX, Cancel sends nothing and tells the teacher how to leave.
      if (body.cancel !== undefined && openEdx) {
        res.setHeader('Cache-Control', 'no-store');
        return res.render('home/deep-linking-cancelled', { pageTitle: t('deep_linking_form.cancelled.title') });
      }
      let item: LtiResourceLinkItem | undefined;
      if (body.cancel === undefined) {
        const parsed = deepLinkingFormSchema.safeParse(raw);
        if (!parsed.success) return renderForm(res, 400, { request, openEdx }, raw, fieldErrors(parsed.error));
        item = resourceLinkItem(parsed.data, { launchUrl: `${deps.publicUrl}${LTI_ROUTES.launch}`, resourceId: randomUUID() });
      }
      const jwt = await signDeepLinkingResponse(res, item ? [item] : []);
      // This page alone may post a form to the LMS (its return URL's origin); every other page keeps form-action 'self'.
      const csp = res.getHeader('Content-Security-Policy');
      res.setHeader('Content-Security-Policy', allowFormActionTo(typeof csp === 'string' ? csp : '', request.returnUrl));
      res.setHeader('Cache-Control', 'no-store');
      res.render('home/deep-linking-return', {
        pageTitle: t('deep_linking_form.return.title'),
        action: request.returnUrl,
        jwt,
        message: item ? t('deep_linking_form.return.body', { title: item.title }) : t('deep_linking_form.return.cancelled'),
      });
    }),
  );
  return router;
}

/** The ltik must belong to a deep-linking launch (a resource-link launch has nothing to pick). */
function requireDeepLinkingRequest(res: Response): DeepLinkingRequest {
  getLaunch(res);
  const request = deepLinkingRequest(res);
  if (!request) throw new Refusal('not_found', 'NOT_A_DEEP_LINKING_LAUNCH');
  return request;
}

/** Open edX treats a response differently (see isOpenEdxDeepLinking): the page must say so. */
async function fromOpenEdx(res: Response, request: DeepLinkingRequest): Promise<boolean> {
  const launch = getLaunch(res);
  return isOpenEdxDeepLinking(await registeredLmsKind(launch.issuer, launch.clientId), request.returnUrl);
}

function renderForm(
  res: Response, status: number, picker: { request: DeepLinkingRequest; openEdx: boolean }, values: RawDeepLinkingForm, errors: FieldErrors,
): void {
  const launch = getLaunch(res);
  res.status(status).render('home/deep-linking', {
    view: {
      pageTitle: res.locals.t('deep_linking_form.title'),
      userName: launch.userName,
      accepts: picker.request.acceptsResourceLink,
      openEdx: picker.openEdx,
      action: DEEP_LINKING_PATH,
      values,
      errors,
      limits: DEEP_LINK_LIMITS,
    },
    ltik: launch.ltik,
  });
}
