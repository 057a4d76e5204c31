import { GroupModel } from './group.model';

/** Read-only lookups other features (sessions, reports) use; scoped by course. */
export async function listGroups(courseId: string): Promise<Array<{ id: string; name: string; memberCount: number }>> {
  const groups = await GroupModel.find({ courseId }).sort({ nameKey: 1 }).lean();
  return groups.map((g) => ({ id: g._id, name: g.name, memberCount: g.memberIds.length }));
}

export async function findGroup(courseId: string, groupId: string): Promise<{ id: string; name: string; memberIds: string[] } | undefined> {
  const g = await GroupModel.findOne({ _id: groupId, courseId }).lean();
  return g ? { id: g._id, name: g.name, memberIds: [...g.memberIds] } : undefined;
}
