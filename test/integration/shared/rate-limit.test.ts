/**
 * The per-key limits that every app instance shares (src/shared/rate-limit.service.ts), against
 * the run's real database server: counting is atomic under concurrency, windows restart, and
 * rules and keys count apart.
 */
import mongoose from 'mongoose';
import { connectMongoose, disconnectMongoose } from '../../../src/db/database';
import { deleteEndedCounters, hit, peek, RateRule } from '../../../src/shared/rate-limit.service';
import { testDbName, testMongoUri } from '../../support/test-db';

beforeAll(async () => {
  await connectMongoose(testMongoUri(), testDbName('rate'));
});
afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await disconnectMongoose();
});

const rule = (name: string, limit: number, windowMs = 60_000): RateRule => ({ name, limit, windowMs });
const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 9, 0, 0) + ms);

describe('database rate limits', () => {
  it('when 100 hits arrive at once for a limit of 10, then exactly 10 are allowed', async () => {
    const r = rule('burst', 10);
    const states = await Promise.all(Array.from({ length: 100 }, () => hit(r, '203.0.113.9', at(1000))));
    expect(states.filter((s) => !s.blocked)).toHaveLength(10);
    expect(Math.max(...states.map((s) => s.count))).toBe(100);
    expect((await peek(r, '203.0.113.9', at(2000))).blocked).toBe(true);
  });

  it('when the window ends, then the key starts again, and Retry-After counts down to the window end', async () => {
    const r = rule('window', 2, 60_000);
    await hit(r, 'a', at(0));
    await hit(r, 'a', at(1000));
    const third = await hit(r, 'a', at(15_000));
    expect(third.blocked).toBe(true);
    expect(third.retryAfterSeconds).toBe(45);
    expect((await hit(r, 'a', at(60_000))).blocked).toBe(false);
  });

  it('when rules or keys differ, then they count apart; a limit of 0 never blocks', async () => {
    await hit(rule('one', 1), 'k', at(0));
    expect((await peek(rule('one', 1), 'k', at(0))).blocked).toBe(true);
    expect((await peek(rule('two', 1), 'k', at(0))).blocked).toBe(false);
    expect((await peek(rule('one', 1), 'other', at(0))).blocked).toBe(false);
    for (let i = 0; i < 5; i++) expect((await hit(rule('off', 0), 'k', at(0))).blocked).toBe(false);
  });

  it('when a key is very long, then it is still counted (hashed), and ended windows are cleaned up', async () => {
    const r = rule('long', 1, 1000);
    const key = 'x'.repeat(5000);
    await hit(r, key, at(0));
    expect((await peek(r, key, at(10))).blocked).toBe(true);
    expect((await peek(r, `${key}y`, at(10))).blocked).toBe(false);
    expect(await deleteEndedCounters(at(1000))).toBeGreaterThanOrEqual(1);
    expect((await peek(r, key, at(10))).blocked).toBe(false);
  });
});
