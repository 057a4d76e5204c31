import { createRequire } from 'node:module';
import mongoose from 'mongoose';
import { currentLaunchStore } from '../../../src/lti/ltijs-store';
import { finalPath, startHarness, TestHarness } from '../../support/tool';

/**
 * ltijs's per-launch documents (src/lti/ltijs-store.ts): keyed by `_id` so every look-up is a
 * point read on any server, and answered from a short-lived in-process copy that a newer
 * launch (from any instance) invalidates.
 */
const jwt = createRequire(require.resolve('ltijs'))('jsonwebtoken') as { sign(p: object, k: string): string; decode(t: string): Record<string, unknown> };

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const ltijsDb = () => mongoose.connection.useDb(`${h.config.dbName}_ltijs`);
let homePath = '';
const home = (agent: import('supertest').Agent, ltik: string) => agent.get(`${homePath}?ltik=${encodeURIComponent(ltik)}`);

async function launchStudent(id: string, givenName: string) {
  const r = await h.lms.launch({ role: 'Learner', user: { id, givenName, familyName: 'Ozola' } });
  expect(r.status).toBe(200);
  homePath = finalPath(r.res).split("?")[0] ?? "";
  expect(homePath).toMatch(/^\/activity\/[^/]+\/student$/);
  return r as typeof r & { ltik: string };
}

describe('ltijs launch documents keyed for point look-ups', () => {
  it('when a student launches, then the idtoken, contexttoken and nonce are stored under keyed ids that ltijs\'s own field queries still find', async () => {
    const r = await launchStudent('keyed-1', 'Anna');
    const ltik = jwt.decode(r.ltik);
    const idKey = JSON.stringify([ltik.platformUrl, ltik.clientId, ltik.deploymentId, 'keyed-1']);
    const idtoken = await ltijsDb().collection('idtokens').findOne({ _id: idKey as never });
    expect(idtoken).toMatchObject({ iss: ltik.platformUrl, user: 'keyed-1', userInfo: { given_name: 'Anna' } });
    expect(idtoken?.createdAt).toBeInstanceOf(Date);
    // An instance of the previous release (ltijs's queries) finds the same documents.
    expect(await ltijsDb().collection('idtokens').countDocuments({ iss: ltik.platformUrl, clientId: ltik.clientId, deploymentId: ltik.deploymentId, user: 'keyed-1' })).toBe(1);
    const ctx = await ltijsDb().collection('contexttokens').findOne({ _id: JSON.stringify([ltik.contextId, 'keyed-1']) as never });
    expect(ctx).toMatchObject({ user: 'keyed-1', contextId: ltik.contextId });
    expect(Array.isArray(ctx?.roles)).toBe(true);
    expect(await ltijsDb().collection('nonces').countDocuments({ _id: r.nonce as never })).toBe(1);
    expect(await ltijsDb().collection('nonces').countDocuments({ _id: { $type: 'objectId' } as never })).toBe(0);
  });

  it('when a launch\'s documents are re-read, then the in-process copy answers (a change in the database alone is not seen)', async () => {
    const r = await launchStudent('cached-1', 'Berta');
    expect((await home(r.agent, r.ltik)).text).toContain('Berta Ozola');
    const ltik = jwt.decode(r.ltik);
    const idKey = JSON.stringify([ltik.platformUrl, ltik.clientId, ltik.deploymentId, 'cached-1']);
    await ltijsDb().collection('idtokens').updateOne({ _id: idKey as never }, { $set: { 'userInfo.name': 'Changed Behind' } });
    const page = await home(r.agent, r.ltik);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Berta Ozola');
  });

  it('when another instance relaunches the student, then its newer ltik drops the older copy here and the new launch\'s data is shown', async () => {
    const r = await launchStudent('relaunch-1', 'Cilda');
    expect((await home(r.agent, r.ltik)).text).toContain('Cilda Ozola');
    const old = jwt.decode(r.ltik);
    // What another instance does on a relaunch: it replaces the idtoken and signs a new ltik.
    const later = Date.now() + 5000;
    const idKey = JSON.stringify([old.platformUrl, old.clientId, old.deploymentId, 'relaunch-1']);
    await ltijsDb().collection('idtokens').updateOne({ _id: idKey as never }, { $set: { 'userInfo.name': 'Cilda Renamed', createdAt: new Date(later) } });
    const { iat: _iat, ...rest } = old;
    void _iat;
    const newer = jwt.sign({ ...rest, s: 'another-launch', iat: Math.floor(later / 1000) }, h.ltiKey);
    const page = await home(r.agent, newer);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cilda Renamed');
  });

  it('when documents of the previous release (ObjectId ids) exist, then they still work and start-up re-keys them', async () => {
    const r = await launchStudent('legacy-1', 'Dace');
    const ltik = jwt.decode(r.ltik);
    const idKey = JSON.stringify([ltik.platformUrl, ltik.clientId, ltik.deploymentId, 'legacy-1']);
    const ctxKey = JSON.stringify([ltik.contextId, 'legacy-1']);
    // Turn this launch's documents into what the previous release stored.
    for (const [name, key] of [['idtokens', idKey], ['contexttokens', ctxKey]] as const) {
      const coll = ltijsDb().collection(name);
      const doc = await coll.findOne({ _id: key as never });
      const { _id, ...fields } = doc as Record<string, unknown>;
      void _id;
      await coll.deleteOne({ _id: key as never });
      await coll.insertOne({ ...fields, __v: 0 });
    }
    await ltijsDb().collection('nonces').insertOne({ nonce: 'legacy-nonce', createdAt: new Date(), __v: 0 });
    const store = currentLaunchStore();
    store?.cache.clear();
    // Found by ltijs's query when the point look-up misses (a not-yet-upgraded instance wrote it).
    expect((await home(r.agent, r.ltik)).text).toContain('Dace Ozola');

    await (store as unknown as { adoptLegacyDocuments(): Promise<void> }).adoptLegacyDocuments();
    expect(await ltijsDb().collection('idtokens').countDocuments({ _id: idKey as never })).toBe(1);
    expect(await ltijsDb().collection('contexttokens').countDocuments({ _id: ctxKey as never })).toBe(1);
    expect(await ltijsDb().collection('nonces').countDocuments({ _id: 'legacy-nonce' as never })).toBe(1);
    for (const name of ['idtokens', 'contexttokens', 'nonces']) {
      expect(await ltijsDb().collection(name).countDocuments({ _id: { $type: 'objectId' } as never })).toBe(0);
    }
    store?.cache.clear();
    expect((await home(r.agent, r.ltik)).text).toContain('Dace Ozola');
  });
});

describe('ltijs registration reads kept briefly', () => {
  it('when a registration is approved or deactivated through this instance, then the next launch sees it at once', async () => {
    const { MockLms } = await import('../../support/mock-lms');
    const other = await MockLms.start({ toolUrl: h.tool.url });
    try {
      await h.tool.platforms.upsertPlatform({ ...other.registration(), status: 'pending' }, 'cli');
      const refused = await other.launch({ role: 'Learner', user: { id: 'pending-1' } });
      expect(refused.status).not.toBe(200); // pending: ltijs answers "not activated" (its status is now kept)
      await h.tool.platforms.upsertPlatform({ ...other.registration(), status: 'active' }, 'cli');
      expect((await other.launch({ role: 'Learner', user: { id: 'pending-1' } })).status).toBe(200);
      await h.tool.platforms.upsertPlatform({ ...other.registration(), status: 'pending' }, 'cli');
      expect((await other.launch({ role: 'Learner', user: { id: 'pending-1' } })).status).not.toBe(200);
    } finally {
      await other.stop();
    }
  });
});
