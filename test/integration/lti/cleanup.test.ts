import mongoose from 'mongoose';
import { cleanupExpired } from '../../../src/lti/cleanup.worker';
import { LoginAttemptModel } from '../../../src/lti/login-attempt.model';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('cleanup of expired launch data (the stand-in has no TTL indexes)', () => {
  it('when documents are past their lifetime, then they are deleted and fresh ones stay', async () => {
    const now = new Date('2026-11-28T12:00:00Z');
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    const ltijs = mongoose.connection.useDb(`${h.config.dbName}_ltijs`);
    await ltijs.collection('nonces').insertMany([{ nonce: 'old', createdAt: ago(601) }, { nonce: 'fresh', createdAt: ago(30) }]);
    await ltijs.collection('states').insertMany([{ state: 'old', createdAt: ago(601) }, { state: 'fresh', createdAt: ago(10) }]);
    await ltijs.collection('accesstokens').insertMany([{ scopes: 'old', createdAt: ago(3601) }, { scopes: 'fresh', createdAt: ago(60) }]);
    await ltijs.collection('idtokens').insertMany([{ user: 'old', createdAt: ago(86_401) }, { user: 'fresh', createdAt: ago(3600) }]);
    await ltijs.collection('contexttokens').insertMany([{ user: 'old', createdAt: ago(86_401) }, { user: 'fresh', createdAt: ago(3600) }]);
    await LoginAttemptModel.create([{ state: 'old-attempt', createdAt: ago(901) }, { state: 'fresh-attempt', createdAt: ago(60) }]);

    const removed = await cleanupExpired({ ltijsDbName: `${h.config.dbName}_ltijs`, tokenMaxAgeSeconds: 60 }, now);

    expect(removed).toMatchObject({ nonces: 1, states: 1, accesstokens: 1, idtokens: 1, contexttokens: 1, login_attempts: 1 });
    expect(await ltijs.collection('nonces').countDocuments({ nonce: 'fresh' })).toBe(1);
    expect(await ltijs.collection('nonces').countDocuments({ nonce: 'old' })).toBe(0);
    expect(await LoginAttemptModel.countDocuments({ state: 'fresh-attempt' })).toBe(1);
  });

  it('when the token max age is long, then nonces are kept at least twice as long so a replay stays detectable', async () => {
    const now = new Date('2026-11-28T12:00:00Z');
    const ltijs = mongoose.connection.useDb(`${h.config.dbName}_ltijs`);
    await ltijs.collection('nonces').insertOne({ nonce: 'keep-me', createdAt: new Date(now.getTime() - 700_000) });
    await cleanupExpired({ ltijsDbName: `${h.config.dbName}_ltijs`, tokenMaxAgeSeconds: 600 }, now);
    expect(await ltijs.collection('nonces').countDocuments({ nonce: 'keep-me' })).toBe(1);
  });

  it('when a launch happens, then its login parameters are remembered under its state for a new-window restart', async () => {
    const login = await h.lms.startLogin(undefined, { role: 'Learner' });
    const attempt = await LoginAttemptModel.findOne({ state: login.state }).lean();
    expect(attempt?.params?.lti_message_hint).toBe(login.messageHint);
    expect(attempt?.params?.iss).toBe(h.lms.issuer);
  });
});
