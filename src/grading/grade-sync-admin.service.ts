import { ActivityModel } from '../courses/activity.model';
import { CourseModel } from '../courses/course.model';
import { GradeSyncJobModel } from './grade-sync.model';

/**
 * For the administrator (GET /admin/api/grade-sync/failing): every activity with grades whose
 * delivery is failing (state `failed`: still queued and retried, see backoff.ts), one page at a
 * time in activity id order. Reads are bounded: one index seek per activity to find the next
 * one, then a few reads scoped to that course and activity.
 */

export interface FailingActivity {
  issuer: string;
  clientId: string;
  contextId?: string;
  courseTitle: string;
  courseLabel: string;
  activityId: string;
  activityTitle: string;
  /** Grades of this activity whose delivery is failing. */
  failing: number;
  /** When the longest-failing of them first failed. */
  failingSince?: Date;
  /** The most recent failure among them. */
  lastError: { reason: string; status?: number; message?: string; at?: Date };
  /** The soonest next attempt among them (they are never given up). */
  nextAttemptAt?: Date;
}

export interface FailingPage {
  items: FailingActivity[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

export const FAILING_PAGE_MAX = 200;

type JobLean = { courseId: string; activityId: string; failingSince?: Date; nextAttemptAt?: Date; lastError?: string; lastErrorStatus?: number; lastErrorMessage?: string; lastErrorAt?: Date };

/** The next activity after `after` (activity id order) that has a failing job. */
async function nextFailingActivity(after: string | undefined): Promise<{ courseId: string; activityId: string } | undefined> {
  const filter = { state: 'failed', ...(after !== undefined ? { activityId: { $gt: after } } : {}) };
  const job = await GradeSyncJobModel.findOne(filter, { _id: 0, courseId: 1, activityId: 1 }).sort({ activityId: 1 }).lean<{ courseId: string; activityId: string }>();
  return job ?? undefined;
}

type Summary = Omit<FailingActivity, 'issuer' | 'clientId' | 'contextId' | 'courseTitle' | 'courseLabel' | 'activityTitle'> & { courseId: string };

async function summarize(courseId: string, activityId: string): Promise<Summary> {
  const scope = { courseId, activityId, state: 'failed' };
  const fields = { _id: 0, courseId: 1, activityId: 1, failingSince: 1, nextAttemptAt: 1, lastError: 1, lastErrorStatus: 1, lastErrorMessage: 1, lastErrorAt: 1 };
  const [failing, oldest, latest, soonest] = await Promise.all([
    GradeSyncJobModel.countDocuments(scope),
    GradeSyncJobModel.findOne({ ...scope, failingSince: { $exists: true } }, fields).sort({ failingSince: 1 }).lean<JobLean>(),
    GradeSyncJobModel.findOne(scope, fields).sort({ lastErrorAt: -1 }).lean<JobLean>(),
    GradeSyncJobModel.findOne(scope, fields).sort({ nextAttemptAt: 1 }).lean<JobLean>(),
  ]);
  return {
    courseId, activityId, failing,
    failingSince: oldest?.failingSince ?? latest?.lastErrorAt,
    lastError: { reason: latest?.lastError ?? 'unknown', status: latest?.lastErrorStatus, message: latest?.lastErrorMessage, at: latest?.lastErrorAt },
    nextAttemptAt: soonest?.nextAttemptAt,
  };
}

export async function listFailingActivities(opts: { limit: number; after?: string }): Promise<FailingPage> {
  const limit = Math.min(Math.max(1, Math.floor(opts.limit)), FAILING_PAGE_MAX);
  const found: Array<{ courseId: string; activityId: string }> = [];
  for (let cursor = opts.after; found.length <= limit; ) {
    const next = await nextFailingActivity(cursor);
    if (!next) break;
    found.push(next);
    cursor = next.activityId;
  }
  const page = found.slice(0, limit);
  const [summaries, courses, activities] = await Promise.all([
    Promise.all(page.map((a) => summarize(a.courseId, a.activityId))),
    CourseModel.find({ _id: { $in: [...new Set(page.map((a) => a.courseId))] } }, { issuer: 1, clientId: 1, contextId: 1, title: 1, label: 1 })
      .lean<Array<{ _id: string; issuer: string; clientId: string; contextId?: string; title?: string; label?: string }>>(),
    ActivityModel.find({ _id: { $in: page.map((a) => a.activityId) } }, { title: 1 }).lean<Array<{ _id: string; title?: string }>>(),
  ]);
  const courseById = new Map(courses.map((c) => [c._id, c]));
  const titleById = new Map(activities.map((a) => [a._id, a.title ?? '']));
  const items = summaries.map(({ courseId, ...summary }): FailingActivity => {
    const course = courseById.get(courseId);
    return {
      issuer: course?.issuer ?? '', clientId: course?.clientId ?? '', contextId: course?.contextId,
      courseTitle: course?.title ?? '', courseLabel: course?.label ?? '', activityTitle: titleById.get(summary.activityId) ?? '',
      ...summary,
    };
  });
  return { items, ...(found.length > limit ? { next: page[page.length - 1]?.activityId } : {}) };
}
