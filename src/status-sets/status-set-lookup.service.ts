import { StatusSetModel } from './status-set.model';

/** Read-only lookups other features (sessions, taking attendance) use; scoped by activity. */
export async function listStatusSets(courseId: string, activityId: string): Promise<Array<{ id: string; name: string; isDefault: boolean }>> {
  const sets = await StatusSetModel.find({ courseId, activityId }).sort({ isDefault: -1, name: 1 }).lean();
  return sets.map((s) => ({ id: s._id, name: s.name, isDefault: s.isDefault ?? false }));
}

export async function findStatusSet(courseId: string, activityId: string, setId: string) {
  return StatusSetModel.findOne({ _id: setId, courseId, activityId }).lean();
}
