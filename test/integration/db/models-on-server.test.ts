/**
 * Runs real mongoose models against whatever server the run chose (external MongoDB, embedded
 * mongod or the offline stand-in), covering the operations our code relies on instead of
 * transactions: unique indexes, idempotent upserts, and aggregation.
 */
import mongoose, { Schema } from 'mongoose';
import { connectMongoose, disconnectMongoose, pingDatabase } from '../../../src/db/database';
import { testDbName, testMongoUri } from '../../support/test-db';

interface Mark {
  courseId: string;
  userId: string;
  status: 'present' | 'late' | 'absent';
  points: number;
}

const markSchema = new Schema<Mark>(
  {
    courseId: { type: String, required: true },
    userId: { type: String, required: true },
    status: { type: String, required: true, enum: ['present', 'late', 'absent'] },
    points: { type: Number, required: true, default: 0 },
  },
  { collection: 'marks', timestamps: true },
);
// The unique compound index is what makes repeated check-ins idempotent.
markSchema.index({ courseId: 1, userId: 1 }, { unique: true });

const Mark = mongoose.model<Mark>('ThrowawayMark', markSchema);

beforeAll(async () => {
  await connectMongoose(testMongoUri(), testDbName('models'));
  await Mark.init(); // builds the indexes before the duplicate-key test relies on them
});

afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await disconnectMongoose();
});

it('answers the health ping', async () => {
  await expect(pingDatabase()).resolves.toBe(true);
});

it('has the unique compound index', async () => {
  const indexes = await Mark.collection.listIndexes().toArray();
  const compound = indexes.find((i) => JSON.stringify(i['key']) === JSON.stringify({ courseId: 1, userId: 1 }));
  expect(compound?.['unique']).toBe(true);
});

it('inserts, and rejects a duplicate with E11000', async () => {
  await Mark.create({ courseId: 'c1', userId: 'u1', status: 'present', points: 1 });
  await expect(Mark.create({ courseId: 'c1', userId: 'u1', status: 'late', points: 0 })).rejects.toMatchObject({
    code: 11000,
  });
  expect(await Mark.countDocuments({ courseId: 'c1' })).toBe(1);
});

it('upserts with findOneAndUpdate', async () => {
  const created = await Mark.findOneAndUpdate(
    { courseId: 'c1', userId: 'u2' },
    { $set: { status: 'late' }, $setOnInsert: { points: 0 } },
    { upsert: true, new: true },
  ).lean();
  expect(created).toMatchObject({ courseId: 'c1', userId: 'u2', status: 'late', points: 0 });

  const updated = await Mark.findOneAndUpdate(
    { courseId: 'c1', userId: 'u2' },
    { $set: { status: 'present' }, $inc: { points: 1 } },
    { upsert: true, new: true },
  ).lean();
  expect(updated).toMatchObject({ status: 'present', points: 1 });
  expect(String(updated?._id)).toBe(String(created?._id));
});

it('bulkWrite of upserts (ordered: false) is idempotent', async () => {
  const ops = ['u3', 'u4', 'u5'].map((userId) => ({
    updateOne: {
      filter: { courseId: 'c2', userId },
      update: { $set: { status: 'absent' as const }, $setOnInsert: { points: 0 } },
      upsert: true,
    },
  }));
  const first = await Mark.bulkWrite(ops, { ordered: false });
  expect(first.upsertedCount).toBe(3);
  const second = await Mark.bulkWrite(ops, { ordered: false });
  expect(second.upsertedCount).toBe(0);
  expect(second.matchedCount).toBe(3);
  expect(await Mark.countDocuments({ courseId: 'c2' })).toBe(3);
});

it('aggregates with $match / $group / $sort', async () => {
  const rows = await Mark.aggregate<{ _id: string; count: number; points: number }>([
    { $match: { courseId: { $in: ['c1', 'c2'] } } },
    { $group: { _id: '$status', count: { $sum: 1 }, points: { $sum: '$points' } } },
    { $sort: { count: -1, _id: 1 } },
  ]);
  expect(rows).toEqual([
    { _id: 'absent', count: 3, points: 0 },
    { _id: 'present', count: 2, points: 2 },
  ]);
});
