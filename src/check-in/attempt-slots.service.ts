import { randomUUID } from 'node:crypto';
import { AttemptSlotModel } from './attempt-slot.model';
import { AttemptPolicy, attemptsLeft, DEFAULT_ATTEMPT_POLICY } from './attempts';
import { CheckInRefusal, EarlyFacts, refusalBeforeAttempt } from './check-in-decision';
import { itemOutcome, NaturalBatcher, unorderedBulk } from '../shared/natural-batcher';

/**
 * The wrong-code limit as one atomic step per guess. Counting stored failures and then deciding
 * lets parallel guesses all read the same count (of 100 parallel guesses, up to 10 were judged,
 * not 5). Instead a guess must first win one of `limit` attempt slots per (session, student), each a
 * document with a fixed `_id`: the unique index hands each slot to exactly one request, on
 * MongoDB and on the stand-in alike, without transactions. A wrong code keeps its slot for the
 * window; anything else gives it back at once.
 */

export interface AttemptScope { courseId: string; activityId: string; sessionId: string; userId: string }

/** A slot this request holds; the token makes a late give-back harmless once it was re-won. */
export interface HeldAttempt { id: string; token: string }

// Student ids come from the LMS and may contain '|': the session id (a UUID) comes first and k
// last, so ids of different students still never collide.
const slotId = (scope: AttemptScope, k: number) => `${scope.sessionId}|${scope.userId}|${k}`;

/**
 * Wins a free slot, or returns undefined when all `limit` are held (locked out). A free slot is
 * one whose `until` has passed, or that does not exist yet. When the slot is held, the filter
 * misses and the upsert's insert of the same `_id` fails with E11000: held. The honest case
 * (no recent wrong code) costs one operation on slot 0; a locked-out guess costs `limit`.
 */
export async function reserveAttempt(scope: AttemptScope, now: Date, policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY): Promise<HeldAttempt | undefined> {
  const token = randomUUID();
  const fields = { ...scope, until: new Date(now.getTime() + policy.windowMs), token };
  for (let k = 0; k < policy.limit; k++) {
    const id = slotId(scope, k);
    if (await claims.submit({ id, now, fields })) return { id, token };
  }
  return undefined;
}

type Claim = { id: string; now: Date; fields: Record<string, unknown> };

/**
 * Claims of concurrent requests in one unordered command: each its own upsert on its own `_id`,
 * so the unique index still hands each slot to exactly one request (E11000 = held: false).
 */
const claims = new NaturalBatcher<Claim, boolean>(async (items) => {
  const ops = items.map((c) => ({ updateOne: { filter: { _id: c.id, until: { $lte: c.now } }, update: { $set: c.fields }, upsert: true } }));
  const bulk = await unorderedBulk(() => AttemptSlotModel.collection.bulkWrite(ops as never, { ordered: false }));
  return items.map((_, i) => itemOutcome(bulk.errorAt(i), true, false));
});

/** Give-backs of concurrent requests in one command. */
const releases = new NaturalBatcher<HeldAttempt, void>(async (items) => {
  await AttemptSlotModel.collection.bulkWrite(items.map((h) => ({ deleteOne: { filter: { _id: h.id, token: h.token } } })) as never, { ordered: false });
  return items.map(() => ({ ok: true as const, value: undefined }));
});

/**
 * Gives a slot back (the code was right, or not judged). Matched on the token: if the slot
 * expired meanwhile and another request won it, that request's claim stays.
 */
export async function releaseAttempt(held: HeldAttempt): Promise<void> {
  await releases.submit(held);
}

/**
 * When the wrong codes still counted were typed (each held slot's `until` less the window), for
 * attempts.ts: the "N attempts left" and "try again after" figures. Point reads by `_id`.
 */
export async function recentFailuresMs(scope: AttemptScope, now: Date, policy: AttemptPolicy = DEFAULT_ATTEMPT_POLICY): Promise<number[]> {
  const ids = Array.from({ length: policy.limit }, (_, k) => slotId(scope, k));
  // Only `_id` in the filter (an index look-up on every server); scope and time checked here.
  const slots = await AttemptSlotModel.collection
    .find<{ until: Date; courseId: string; activityId: string }>({ _id: { $in: ids as never[] } }, { projection: { until: 1, courseId: 1, activityId: 1 } })
    .toArray();
  const held = slots.filter((s) => s.courseId === scope.courseId && s.activityId === scope.activityId && s.until.getTime() > now.getTime());
  return held.map((s) => s.until.getTime() - policy.windowMs);
}

/**
 * For the cleanup job: slots free for a minute (instances' clocks differ a little, and a slot
 * one of them still sees as held must not vanish under it). Safe against a concurrent claim: the
 * claim's update makes the slot held again, and a deleted slot is simply inserted anew.
 */
export async function deleteFreeAttempts(now: Date): Promise<number> {
  return (await AttemptSlotModel.deleteMany({ until: { $lte: new Date(now.getTime() - 60_000) } })).deletedCount;
}

/**
 * One request's attempt: reserved only when a typed guess is about to be judged (every refusal
 * that does not depend on the code ruled out), and held at most once.
 */
export class GuessAttempt {
  private held: HeldAttempt | undefined;
  private retried = false;
  state: 'reserved' | 'none_free' | undefined;

  constructor(private readonly scope: AttemptScope, private readonly now: Date, private readonly isGuess: boolean) {}

  /**
   * True when this call reserved a slot (a failure list the caller read before it lacks it).
   * `failuresSeen`, read after a failed reservation, may show a slot given back meanwhile (a
   * right code of a parallel double tap): then one more try, so it does not read as a lock-out.
   */
  async reserveIfJudged(early: EarlyFacts | undefined, failuresSeen?: readonly number[]): Promise<boolean> {
    if (!this.isGuess || this.state === 'reserved' || !early || refusalBeforeAttempt(early) !== undefined) return false;
    if (this.state === 'none_free') {
      if (this.retried || !failuresSeen || attemptsLeft(failuresSeen, this.now.getTime()) === 0) return false;
      this.retried = true;
    }
    this.held = await reserveAttempt(this.scope, this.now);
    this.state = this.held ? 'reserved' : 'none_free';
    return this.held !== undefined;
  }

  /**
   * A wrong code keeps its slot: that is the failed attempt's record. Any other outcome (accepted,
   * already recorded, status not allowed) gives it back. Not called on an error: a slot kept
   * then is one attempt lost for the window, whereas giving it back could turn errors into
   * free guesses.
   */
  async settle(refusal: CheckInRefusal | undefined): Promise<void> {
    const held = this.held;
    if (!held || refusal === 'wrong_code') return;
    this.held = undefined;
    await releaseAttempt(held);
  }
}
