import { Writable } from 'node:stream';
import pino from 'pino';
import { ActivityModel } from '../../../src/courses/activity.model';
import { GradeSyncJobModel, gradeSyncJobId } from '../../../src/grading/grade-sync.model';
import { processGradeSync, ProcessSummary } from '../../../src/grading/grade-sync.service';
import { agsFrom, type AgsServices } from '../../../src/lti/lti-services';
import { createLtiServices } from '../../../src/lti/nrps.adapter';
import type { Logger } from '../../../src/shared/logger';
import { CLAIM, SCOPE } from '../../support/mock-lms';
import { startHarness, type TestHarness } from '../../support/tool';
import { launchTeacher, takeForm, type TakeCourse } from '../attendance/take-helpers';

/** Shared by the grade sync integration tests: a movable clock, a log we can read, the mock LMS's gradebook. */

export class Clock {
  current = new Date();
  readonly now = (): Date => this.current;
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface CapturedLog {
  log: Logger;
  lines: Array<{ level: number; msg: string } & Record<string, unknown>>;
  messages(): string[];
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as CapturedLog['lines'][number]);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines, messages: () => lines.map((l) => l.msg) };
}

/** The tool's AGS adapter with a short timeout (the mock LMS answers in milliseconds). */
export const agsServices = (timeoutMs = 2000): AgsServices => agsFrom(createLtiServices({ ags: { timeoutMs } }));

export function runner(clock: Clock, log: Logger, ags: AgsServices = agsServices()) {
  return (holder = 'worker-A', over: Partial<Parameters<typeof processGradeSync>[0]> = {}): Promise<ProcessSummary> =>
    processGradeSync({ ags, now: clock.now, log, random: () => 0, ...over }, { holder });
}

/**
 * A teacher launch into its own course, like take-helpers' launchTeacher, with a titled resource
 * link; `lineItem: false` drops the line item from the launch's AGS claim (the LMS made none).
 */
export function launchGradedTeacher(h: TestHarness, contextId: string, opts: { lineItem?: boolean; title?: string; locale?: string } = {}): Promise<TakeCourse> {
  return launchTeacher(h, contextId, {
    title: opts.title ?? 'Lectures', locale: opts.locale ?? 'en',
    mutate: (p) => {
      if (opts.lineItem === false) delete (p[CLAIM.ags] as Record<string, unknown>).lineitem;
    },
  });
}

/** Score POSTs the mock LMS accepted for a context (optionally one student). */
export function scoresOf(h: TestHarness, contextId: string, userId?: string) {
  const marker = `/ags/${encodeURIComponent(contextId)}/`;
  return h.lms.scores.filter((s) => s.lineItemId.includes(marker) && (userId === undefined || s.body.userId === userId));
}

/** userId → the grade the LMS shows (scaled to the line item's maximum, as Moodle does). */
export function gradebookOf(h: TestHarness, contextId: string): Record<string, number | null> {
  return Object.fromEntries(h.lms.gradebook(contextId).map((r) => [r.userId, r.resultScore]));
}

export async function jobOf(activityId: string, userId: string) {
  return GradeSyncJobModel.findOne({ _id: gradeSyncJobId(activityId, userId) }).lean();
}

export async function activityOf(activityId: string) {
  return ActivityModel.findOne({ _id: activityId }).lean();
}

/** Calls the mock LMS's AGS API as an LMS admin would (e.g. deleting a gradebook column). */
export async function lmsApi(h: TestHarness, method: 'DELETE' | 'POST', url: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: {
      Authorization: `Bearer ${h.lms.issueAccessToken([SCOPE.lineItem])}`,
      ...(body !== undefined ? { 'Content-Type': 'application/vnd.ims.lis.v2.lineitem+json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** Saves the take form of one session with these marks (student id → acronym), as the page posts it. */
export async function mark(t: TakeCourse, sessionId: string, marks: Record<string, keyof TakeCourse['status']>): Promise<void> {
  const res = await t.post(sessionId, takeForm(Object.entries(marks).map(([userId, s]) => ({ userId, statusId: t.status[s] }))));
  expect(res.status).toBe(303);
}

/** The students the grade-sync tests share. */
export const ANN = { id: 'ann', givenName: 'Ann', familyName: 'Abele' };
export const BOB = { id: 'bob', givenName: 'Bob', familyName: 'Berzs' };
export const CID = { id: 'cid', givenName: 'Cid', familyName: 'Celms' };

export type GradeSyncRunner = ReturnType<typeof runner>;

/**
 * The set-up every grade sync test file shares: a movable clock, a readable log, a harness on
 * that clock (started before the file's tests, closed after) and a runner of the sync worker.
 * `onStart` hands the harness and runner to the file's own variables; `harnessOptions` picks e.g.
 * the mock LMS's profile or the environment.
 */
export function gradeSyncSuite(
  onStart: (h: TestHarness, run: GradeSyncRunner) => void,
  harnessOptions: Omit<Parameters<typeof startHarness>[0] & object, 'now'> = {},
): { clock: Clock; captured: CapturedLog } {
  const clock = new Clock();
  const captured = captureLog();
  let harness: TestHarness | undefined;
  beforeAll(async () => {
    harness = await startHarness({ ...harnessOptions, now: clock.now });
    onStart(harness, runner(clock, captured.log));
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
  });
  return { clock, captured };
}
