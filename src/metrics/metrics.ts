import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The tool's Prometheus metrics (served at /metrics, metrics.routes.ts; listed in
 * docs/admin-guide.md). One registry per process: counters are incremented where things happen
 * (launches, check-ins), gauges that describe shared state (queue, leases, database) are read
 * from the database at scrape time (collectors.ts). Every name starts with `lti_attendance_`.
 * Labels are bounded: route templates, never paths with ids; outcomes from fixed lists.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'lti_attendance_' });

const httpRequests = new Counter({
  name: 'lti_attendance_http_requests_total',
  help: 'HTTP requests answered, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const httpDuration = new Histogram({
  name: 'lti_attendance_http_request_duration_seconds',
  help: 'Time from the request to the end of the response, by method and route template',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const LAUNCH_OUTCOMES = ['teacher', 'student', 'limited', 'deep_linking', 'refused'] as const;
const launches = new Counter({
  name: 'lti_attendance_launches_total',
  help: 'LTI launches by outcome (the role the launch got, deep linking, or refused with a reason)',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
});

const checkIns = new Counter({
  name: 'lti_attendance_check_ins_total',
  help: 'Student self check-ins by method (password, qr) and outcome (recorded, or why not)',
  labelNames: ['method', 'outcome'] as const,
  registers: [registry],
});

export function countLaunch(outcome: (typeof LAUNCH_OUTCOMES)[number], reason = ''): void {
  launches.inc({ outcome, reason });
}

export function countCheckIn(method: 'password' | 'qr', outcome: string): void {
  checkIns.inc({ method, outcome });
}

/** The route template a request was answered by: `/activity/:activityId/teacher/sessions`, never ids. */
export function routeLabel(req: { baseUrl?: string; route?: { path?: unknown }; path: string }): string {
  const template = req.route?.path;
  if (typeof template === 'string') return `${req.baseUrl ?? ''}${template}` || '/';
  if (req.path.startsWith('/static/')) return '/static/*';
  return 'unmatched';
}

/** Counts and times every request once its response is finished. */
export function httpMetricsMiddleware(): RequestHandler {
  return (req, res, next) => {
    const end = httpDuration.startTimer();
    res.once('finish', () => {
      const route = routeLabel(req);
      end({ method: req.method, route });
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
