import { Router } from 'express';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { calendarFeedFor } from './calendar-feed.service';

/**
 * Public iCalendar feed (/calendar/<token>.ics), mounted before ltijs: calendar apps fetch it
 * with nothing but the secret token. Anything wrong is a bare 404 that says nothing about why.
 */
export function calendarFeedRouter(deps: FeatureDeps): Router {
  const router = Router();
  router.get('/calendar/:file', asyncHandler(async (req, res) => {
    const token = /^(.+)\.ics$/.exec(String(req.params.file ?? ''))?.[1];
    const ics = token ? await calendarFeedFor(token, deps.now(), deps.publicUrl) : undefined;
    res.set('Cache-Control', 'private, no-store');
    res.set('X-Robots-Tag', 'noindex');
    if (!ics) {
      res.status(404).type('text/plain; charset=utf-8').send('Not found');
      return;
    }
    res.status(200).type('text/calendar; charset=utf-8').send(ics);
  }));
  return router;
}
