import { decideKeyLookup, isFresh, KEY_SET_TTL_MS, KeySetView, MIN_REFETCH_INTERVAL_MS, mayRefetch } from '../../../src/lti/platform-key-policy';

const T0 = 1_000_000;
/** A set fetched at T0 (that fetch also being the last one started), no fetch running. */
const view = (over: Partial<KeySetView> = {}): KeySetView => ({ fetchedAt: T0, lastFetchStartedAt: T0, fetching: false, hasKid: true, ...over });

describe('when to use the cached LMS keys and when to ask the LMS again', () => {
  it('the documented numbers: a set is kept 10 minutes, an unknown kid refetches at most every 10 seconds', () => {
    expect(KEY_SET_TTL_MS).toBe(600_000);
    expect(MIN_REFETCH_INTERVAL_MS).toBe(10_000);
  });

  it('when nothing was fetched yet, then the first lookup fetches', () => {
    expect(decideKeyLookup(view({ fetchedAt: undefined, lastFetchStartedAt: undefined, hasKid: false }), T0)).toBe('fetch');
  });

  it('when the last fetch failed a moment ago (no set in hand), then the next lookup fetches again', () => {
    expect(decideKeyLookup(view({ fetchedAt: undefined, lastFetchStartedAt: T0, hasKid: false }), T0 + 1)).toBe('fetch');
  });

  it('when the set is fresh and has the kid, then it is used, up to the last millisecond of its lifetime', () => {
    expect(decideKeyLookup(view(), T0)).toBe('use');
    expect(decideKeyLookup(view(), T0 + KEY_SET_TTL_MS - 1)).toBe('use');
  });

  it('when the set is older than its lifetime, then it is fetched again even though it has the kid', () => {
    expect(decideKeyLookup(view(), T0 + KEY_SET_TTL_MS)).toBe('fetch');
  });

  it('when a fresh set lacks the kid and the last fetch is under 10 s old, then the token is refused without asking the LMS', () => {
    expect(decideKeyLookup(view({ hasKid: false }), T0)).toBe('refuse');
    expect(decideKeyLookup(view({ hasKid: false }), T0 + MIN_REFETCH_INTERVAL_MS - 1)).toBe('refuse');
  });

  it('when a fresh set lacks the kid and the last fetch is 10 s old or more, then the set is fetched again', () => {
    expect(decideKeyLookup(view({ hasKid: false }), T0 + MIN_REFETCH_INTERVAL_MS)).toBe('fetch');
  });

  it('the window counts from the last fetch started, not from when the set in hand was fetched (a failed refetch counts)', () => {
    expect(decideKeyLookup(view({ hasKid: false, lastFetchStartedAt: T0 + 60_000 }), T0 + 65_000)).toBe('refuse');
  });

  it('when a fetch is running, then a lookup that needs one joins it instead of being refused', () => {
    expect(decideKeyLookup(view({ hasKid: false, fetching: true }), T0 + 1)).toBe('fetch');
    expect(decideKeyLookup(view({ fetchedAt: undefined, hasKid: false, fetching: true }), T0 + 1)).toBe('fetch');
  });

  it('when a fetch is running but the fresh set in hand has the kid, then it is used without waiting', () => {
    expect(decideKeyLookup(view({ fetching: true }), T0 + 1)).toBe('use');
  });

  it('when an injected clock goes backwards, then nothing counts as fresh and refetching is allowed', () => {
    expect(isFresh(T0, T0 - 1)).toBe(false);
    expect(mayRefetch(T0, T0 - 1)).toBe(true);
    expect(decideKeyLookup(view(), T0 - 1)).toBe('fetch');
  });

  it('a policy of other numbers is applied as given', () => {
    const policy = { ttlMs: 100, minRefetchIntervalMs: 50 };
    expect(decideKeyLookup(view(), T0 + 99, policy)).toBe('use');
    expect(decideKeyLookup(view(), T0 + 100, policy)).toBe('fetch');
    expect(decideKeyLookup(view({ hasKid: false }), T0 + 49, policy)).toBe('refuse');
    expect(decideKeyLookup(view({ hasKid: false }), T0 + 50, policy)).toBe('fetch');
  });
});
