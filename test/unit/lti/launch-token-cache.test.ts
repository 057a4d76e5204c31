import { LaunchTokenCache } from '../../../src/lti/launch-token-cache';
import { keyedId } from '../../../src/lti/ltijs-store';

describe('launch document cache (pure, injected time)', () => {
  let now = 1_000_000;
  const cache = () => new LaunchTokenCache({ ttlMs: 60_000, maxEntries: 3, now: () => now });
  beforeEach(() => {
    now = 1_000_000;
  });

  it('when an entry is older than the TTL, then it is gone', () => {
    const c = cache();
    c.set('a', { v: 1 }, now);
    now += 59_999;
    expect(c.get('a')).toEqual({ v: 1 });
    now += 1;
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('when more than maxEntries are stored, then the oldest are dropped first', () => {
    const c = cache();
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, { k }, now);
    expect(c.get('a')).toBeUndefined();
    expect(['b', 'c', 'd'].map((k) => c.get(k))).toEqual([{ k: 'b' }, { k: 'c' }, { k: 'd' }]);
    c.set('b', { k: 'b2' }, now); // re-set moves b to the newest place
    c.set('e', { k: 'e' }, now);
    expect(c.get('c')).toBeUndefined();
    expect(c.get('b')).toEqual({ k: 'b2' });
  });

  it('when an ltik of a later launch arrives, then the entries written before that launch are dropped', () => {
    const c = cache();
    c.set('id', { v: 'first launch' }, 1_700_000_000_400);
    c.set('ctx', { v: 'first launch' }, 1_700_000_000_400);
    // The same launch's own ltik (iat is whole seconds, signed just after the write): kept.
    c.noteLaunch(['id', 'ctx'], 1_700_000_000);
    c.noteLaunch(['id', 'ctx'], 1_700_000_001);
    expect(c.get('id')).toEqual({ v: 'first launch' });
    // A relaunch two seconds later, on another instance: stale.
    c.noteLaunch(['id'], 1_700_000_002);
    expect(c.get('id')).toBeUndefined();
    expect(c.get('ctx')).toEqual({ v: 'first launch' });
  });
});

describe('keyed ids of ltijs launch documents', () => {
  it('when the query is exactly the key fields, then it is the JSON of their values (one field: the value)', () => {
    expect(keyedId('idtoken', { iss: 'https://lms', clientId: 'c', deploymentId: '1', user: 'u' })).toBe('["https://lms","c","1","u"]');
    expect(keyedId('idtoken', { user: 'u', deploymentId: '1', clientId: 'c', iss: 'https://lms' })).toBe('["https://lms","c","1","u"]');
    expect(keyedId('contexttoken', { contextId: 'x', user: 'u' })).toBe('["x","u"]');
    expect(keyedId('nonce', { nonce: 'n1' })).toBe('n1');
    expect(keyedId('state', { state: 's1' })).toBe('s1');
  });

  it('when the query has other or missing fields or non-strings, then there is no key (ltijs\'s own query runs)', () => {
    expect(keyedId('idtoken', { iss: 'https://lms', clientId: 'c', user: 'u' })).toBeUndefined();
    expect(keyedId('contexttoken', { contextId: 'x', user: 'u', path: '/' })).toBeUndefined();
    expect(keyedId('nonce', { nonce: { $ne: null } })).toBeUndefined();
    expect(keyedId('platform', { platformUrl: 'x', clientId: 'c' })).toBeUndefined();
    expect(keyedId('state', undefined)).toBeUndefined();
  });
});
