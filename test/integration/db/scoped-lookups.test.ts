/**
 * Look-ups by a unique key plus more fields (`{_id, courseId}`, the tool's scoped reads) on the
 * run's database server. The stand-in answers them from the unique index and then checks the
 * other fields on the candidates (tools/mongo-java-server KeyedIndexLookup.java); these tests
 * pin that the answers are exactly MongoDB's: the extra fields still filter, operators in them
 * still work, and writes by such filters touch only matching documents.
 */
import mongoose, { type Connection } from 'mongoose';
import { testDbName, testMongoUri } from '../../support/test-db';

let conn: Connection;
beforeAll(async () => {
  conn = await mongoose.createConnection(testMongoUri(), { dbName: testDbName('scoped') }).asPromise();
});
afterAll(async () => {
  await conn?.dropDatabase().catch(() => undefined);
  await conn?.close();
});

type Doc = { _id: string; courseId: string; userId?: string; sessionId?: string; n: number; tags?: string[] };
const coll = (name: string) => conn.db!.collection<Doc>(name);

describe('scoped look-ups by a unique key', () => {
  it('when the filter names _id and more fields, then only a document matching all of them is found', async () => {
    const c = coll('by_id');
    await c.insertMany([{ _id: 'a', courseId: 'c1', n: 1, tags: ['x'] }, { _id: 'b', courseId: 'c2', n: 2 }]);
    expect(await c.findOne({ _id: 'a', courseId: 'c1' })).toMatchObject({ n: 1 });
    expect(await c.findOne({ _id: 'a', courseId: 'c2' })).toBeNull();
    expect(await c.findOne({ _id: 'a', n: { $gt: 0 } })).toMatchObject({ n: 1 });
    expect(await c.findOne({ _id: 'a', n: { $gt: 5 } })).toBeNull();
    expect(await c.findOne({ _id: 'a', tags: 'x' })).toMatchObject({ n: 1 });
    expect(await c.find({ _id: { $in: ['a', 'b'] }, courseId: 'c2' }).toArray()).toEqual([{ _id: 'b', courseId: 'c2', n: 2 }]);
    expect(await c.findOne({ _id: 'missing', courseId: 'c1' })).toBeNull();
  });

  it('when the filter names every field of a compound unique index and more, then the extra fields still filter', async () => {
    const c = coll('compound');
    await c.createIndex({ sessionId: 1, userId: 1 }, { unique: true });
    await c.insertMany([
      { _id: '1', sessionId: 's1', userId: 'u1', courseId: 'c1', n: 1 },
      { _id: '2', sessionId: 's1', userId: 'u2', courseId: 'c1', n: 2 },
      { _id: '3', sessionId: 's2', userId: 'u1', courseId: 'c9', n: 3 },
    ]);
    expect(await c.findOne({ sessionId: 's1', userId: 'u2', courseId: 'c1' })).toMatchObject({ _id: '2' });
    expect(await c.findOne({ sessionId: 's2', userId: 'u1', courseId: 'c1' })).toBeNull();
    expect(await c.find({ sessionId: 's1', courseId: 'c1' }).sort({ n: 1 }).toArray()).toHaveLength(2); // no full key: a scan, same answer
  });

  it('when updates and deletes use such filters, then they change only matching documents', async () => {
    const c = coll('writes');
    await c.insertMany([{ _id: 'a', courseId: 'c1', n: 1 }, { _id: 'b', courseId: 'c1', n: 2 }]);
    expect((await c.updateOne({ _id: 'a', courseId: 'c2' }, { $set: { n: 10 } })).matchedCount).toBe(0);
    expect((await c.updateOne({ _id: 'a', courseId: 'c1' }, { $set: { n: 10 } })).modifiedCount).toBe(1);
    expect((await c.deleteOne({ _id: 'b', courseId: 'c2' })).deletedCount).toBe(0);
    expect((await c.deleteOne({ _id: 'b', courseId: 'c1' })).deletedCount).toBe(1);
    expect(await c.find({}).toArray()).toEqual([{ _id: 'a', courseId: 'c1', n: 10 }]);
    // An upsert whose filter misses on the extra field inserts; the _id is then taken: E11000.
    await expect(c.updateOne({ _id: 'a', courseId: 'c2' }, { $set: { n: 3 } }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
  });
});
