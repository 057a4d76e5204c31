import { createHash } from 'node:crypto';
import {
  DEFAULT_LINK_OPTIONS, hashLinkToken, LinkOptionsError, linkState, looksLikeLinkToken, newLinkToken, parseLinkOptions, readLinkToken, registrationLinkUrl,
} from '../../../src/platforms/registration-link';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LinkOptionsError);
    return (err as LinkOptionsError).problems;
  }
  throw new Error('expected a LinkOptionsError');
}

describe('registration link options (npm run platform -- registration-link [--expires 7d] [--uses 1])', () => {
  it('when no option is given, then the link is valid for 7 days and one registration', () => {
    expect(parseLinkOptions({})).toEqual({ expiresInMs: 7 * 24 * 3600_000, uses: 1 });
    expect(DEFAULT_LINK_OPTIONS).toEqual({ expiresInMs: 7 * 24 * 3600_000, uses: 1 });
  });

  it.each([
    ['30m', 30 * 60_000],
    ['12h', 12 * 3600_000],
    ['1d', 24 * 3600_000],
    ['90d', 90 * 24 * 3600_000],
    [' 2D ', 2 * 24 * 3600_000],
  ])('when --expires is %j, then the link lives %d ms', (expires, ms) => {
    expect(parseLinkOptions({ expires }).expiresInMs).toBe(ms);
  });

  it.each(['', '7', 'd', '-1d', '0h', '1.5d', '7 days', '91d', '5m', '1w'])('when --expires is %j, then it is refused with a clear message', (expires) => {
    expect(problemsOf(() => parseLinkOptions({ expires }))).toEqual([
      '--expires must be a duration like 30m, 12h or 7d, from 10 minutes to 90 days',
    ]);
  });

  it.each([['1', 1], ['5', 5], ['100', 100]])('when --uses is %j, then the link allows %d registrations', (uses, n) => {
    expect(parseLinkOptions({ uses }).uses).toBe(n);
  });

  it.each(['0', '-1', '1.5', 'x', '101', ''])('when --uses is %j, then it is refused', (uses) => {
    expect(problemsOf(() => parseLinkOptions({ uses }))).toEqual(['--uses must be a whole number from 1 to 100']);
  });

  it('when both options are wrong, then both problems are listed', () => {
    expect(problemsOf(() => parseLinkOptions({ expires: 'soon', uses: 'many' }))).toHaveLength(2);
  });
});

describe('registration link tokens', () => {
  it('when a token is made, then it is long, random and URL-safe, and only its SHA-256 is stored', () => {
    const a = newLinkToken();
    const b = newLinkToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(hashLinkToken(a)).toBe(createHash('sha256').update(a).digest('hex'));
  });

  it('when the link is printed, then it is the register URL of the public address with rt', () => {
    expect(registrationLinkUrl('https://attendance.example.edu', 'abc_DEF-123')).toBe('https://attendance.example.edu/register?rt=abc_DEF-123');
    expect(registrationLinkUrl('https://example.edu/attendance', 'x')).toBe('https://example.edu/attendance/register?rt=x');
  });

  it.each([
    [{ rt: 'A'.repeat(43) }, 'A'.repeat(43)],
    [{ rt: ` ${'b'.repeat(43)} ` }, 'b'.repeat(43)],
    [{ rt: 'short' }, 'short'],
    [{}, undefined],
    [{ rt: ' ' }, undefined],
    [{ rt: ['a', 'b'] }, undefined],
  ])('when the query is %j, then the link token read is %j', (query, expected) => {
    expect(readLinkToken(query)).toBe(expected);
  });

  it.each([
    ['A'.repeat(43), true],
    [newLinkToken(), true],
    ['short', false],
    [`${'a'.repeat(42)}$`, false],
    ['a'.repeat(44), false],
  ])('when rt is %j, then it looks like a link token: %s', (rt, expected) => {
    expect(looksLikeLinkToken(rt)).toBe(expected);
  });

  it.each([
    [{ usesLeft: 1, expiresAt: new Date('2030-01-02') }, 'usable'],
    [{ usesLeft: 0, expiresAt: new Date('2030-01-02') }, 'used_up'],
    [{ usesLeft: 3, expiresAt: new Date('2030-01-01') }, 'expired'],
    [{ usesLeft: 0, expiresAt: new Date('2029-12-31') }, 'expired'],
  ])('when a link is %j at 2030-01-01, then it is %s', (link, state) => {
    expect(linkState(link, new Date('2030-01-01'))).toBe(state);
  });
});
