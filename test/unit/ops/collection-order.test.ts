import { readingOrder } from '../../../src/ops/collection-order';

describe('the order a backup pass reads collections in', () => {
  it('when the tool writes a parent before its children, then the children are read first', () => {
    const order = readingOrder('app', ['courses', 'attendance_sessions', 'attendance_records', 'attendance_audit', 'activities', 'members', 'zz_new']);
    expect(order).toEqual(['attendance_audit', 'attendance_records', 'zz_new', 'attendance_sessions', 'members', 'activities', 'courses']);
    expect(order.indexOf('attendance_records')).toBeLessThan(order.indexOf('attendance_sessions'));
  });

  it('when ltijs writes a key pair before its platform, then the platform is read before the keys, and launch tokens before both', () => {
    expect(readingOrder('ltijs', ['privatekeys', 'publickeys', 'platforms', 'idtokens', 'nonces', 'platformstatuses'])).toEqual(
      ['idtokens', 'nonces', 'platforms', 'platformstatuses', 'publickeys', 'privatekeys'],
    );
  });
});
