import mongoose from 'mongoose';
import { currentLaunchStore } from '../../../src/lti/ltijs-store';
import { ActivityModel } from '../../../src/courses/activity.model';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';
import { addSession, addStudents } from '../attendance/take-helpers';
import { activityOf, ANN, BOB, CID, gradebookOf, type GradeSyncRunner, gradeSyncSuite, launchGradedTeacher, lmsApi, mark, scoresOf } from './grade-sync-helpers';

/** Which gradebook column grades go to, and that background delivery needs no live launch. */

let h: TestHarness;
let run: GradeSyncRunner;
const { captured } = gradeSyncSuite((harness, worker) => { h = harness; run = worker; });


describe('the gradebook column (line item)', () => {
  it('when the launch carries no line item but ours exists in the LMS, then it is found (by resource link and tag) and reused', async () => {
    const t = await launchGradedTeacher(h, 'gs-li-find', { lineItem: false });
    const created = await lmsApi(h, 'POST', `${h.lms.url}/ags/gs-li-find/lineitems?type_id=1`, {
      label: 'Attendance (earlier)', scoreMaximum: 100, resourceLinkId: 'rl1', tag: 'lti-attendance',
    });
    const ours = ((await created.json()) as { id: string }).id;
    const before = h.lms.lineItems('gs-li-find').length;
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    expect(await run()).toMatchObject({ sent: 1 });
    expect(scoresOf(h, 'gs-li-find').map((s) => s.lineItemId)).toEqual([ours]);
    expect(h.lms.lineItems('gs-li-find')).toHaveLength(before);
    expect((await activityOf(t.activityId))?.gradeLineItemUrl).toBe(ours);
  });

  it('when there is none, then one is created (activity title, max grade, resource link, our tag) once for the whole class', async () => {
    const t = await launchGradedTeacher(h, 'gs-li-create', { lineItem: false, title: 'Labs (group B)' });
    await ActivityModel.updateOne({ _id: t.activityId }, { $set: { 'grading.maxGrade': 20 } });
    await addStudents(t.courseId, [ANN, BOB, CID]);
    await mark(t, await addSession(t), { ann: 'P', bob: 'L', cid: 'A' });
    const before = h.lms.lineItems('gs-li-create').map((i) => i.id);
    expect(await run()).toMatchObject({ sent: 3 });
    const added = h.lms.lineItems('gs-li-create').filter((i) => !before.includes(i.id));
    expect(added).toEqual([expect.objectContaining({ label: 'Labs (group B)', scoreMaximum: 20, resourceLinkId: 'rl1', tag: 'lti-attendance', resourceId: t.activityId })]);
    const url = added[0]?.id;
    expect(new Set(scoresOf(h, 'gs-li-create').map((s) => s.lineItemId))).toEqual(new Set([url]));
    expect(gradebookOf(h, 'gs-li-create')).toEqual({ ann: 20, bob: 10, cid: 0 });
    expect((await activityOf(t.activityId))?.gradeLineItemUrl).toBe(url);
    expect(captured.lines.filter((l) => l.msg === 'grade sync: created a line item in the LMS' && l.activityId === t.activityId)).toHaveLength(1);
  });

  it.each<[string, boolean]>([
    ['the launch\'s', true],
    ['the tool\'s own', false],
  ])('when the LMS deleted %s line item, then the next sync creates a new one, logs it, and delivers', async (_name, fromLaunch) => {
    const ctx = fromLaunch ? 'gs-li-lost-launch' : 'gs-li-lost-own';
    const t = await launchGradedTeacher(h, ctx, { lineItem: fromLaunch });
    await addStudents(t.courseId, [ANN, BOB]);
    const session = await addSession(t);
    await mark(t, session, { ann: 'P', bob: 'P' });
    await run();
    const first = scoresOf(h, ctx)[0]?.lineItemId ?? '';
    expect((await lmsApi(h, 'DELETE', first)).status).toBe(204);

    await mark(t, session, { ann: 'L', bob: 'A' });
    expect(await run()).toMatchObject({ sent: 2, retrying: 0, failed: 0 });
    const items = h.lms.lineItems(ctx);
    expect(items.map((i) => i.id)).not.toContain(first);
    const ours = items.filter((i) => i.tag === 'lti-attendance');
    expect(ours).toHaveLength(1);
    expect(new Set(scoresOf(h, ctx).slice(-2).map((s) => s.lineItemId))).toEqual(new Set([ours[0]?.id]));
    expect(gradebookOf(h, ctx)).toEqual({ ann: 50, bob: 0 });
    const activity = await activityOf(t.activityId);
    expect(activity?.gradeLineItemUrl).toBe(ours[0]?.id);
    expect(activity?.gradeLineItemLostUrls).toEqual([first]);
    const lostLogs = captured.lines.filter((l) => l.activityId === t.activityId && /no longer has this line item/.test(l.msg));
    expect(lostLogs).toHaveLength(1);
    expect(lostLogs[0]).toMatchObject({ level: 40, lineItem: first });
  });
});

describe('background delivery needs no live launch', () => {
  it('when the ltijs launch records are gone (the teacher left long ago), then grades are still delivered from the endpoints stored on the activity', async () => {
    const t = await launchGradedTeacher(h, 'gs-nolaunch');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'L' });
    const ltijs = mongoose.connection.useDb(`${h.config.dbName}_ltijs`);
    for (const name of ['idtokens', 'contexttokens', 'accesstokens']) await ltijs.collection(name).deleteMany({});
    // As after their expiry or a restart: no instance holds a copy of them either.
    currentLaunchStore()?.cache.clear();
    expect((await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, t.ltik))).status).toBe(401);
    expect(await run()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'gs-nolaunch')).toEqual({ ann: 50 });
  });

  it('when the activity was added without "Select content" (AGS offered, no column of its own), then the grade panel says so and how to link it; with its own column it says nothing', async () => {
    const panel = async (contextId: string, lineItem: boolean) => {
      const t = await launchGradedTeacher(h, contextId, { lineItem });
      const res = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/grades`, t.ltik));
      expect(res.status).toBe(200);
      return res.text;
    };
    const unlinked = await panel('gs-li-unlinked', false);
    expect(unlinked).toContain('data-testid="column-not-linked"');
    expect(unlinked).toContain('press “Select content”, choose this attendance register, and save');
    expect(await panel('gs-li-linked', true)).not.toContain('column-not-linked');
  });
});
