import { groupLeases } from '../../../src/admin/status.service';

const now = new Date('2026-12-03T12:00:00.000Z');
const at = (s: number) => new Date(now.getTime() + s * 1000);

describe('the worker leases of GET /admin/api/status', () => {
  it('when several instances hold leases, then they are grouped by job and holder with the latest expiry, and lapsed ones are only counted', () => {
    const status = groupLeases([
      { _id: 'grade-sync:a1:u1', holder: 'grade-sync:app-1:40:aa', until: at(60) },
      { _id: 'grade-sync:a1:u2', holder: 'grade-sync:app-1:40:aa', until: at(120) },
      { _id: 'grade-sync:a2:u1', holder: 'grade-sync:app-2:41:bb', until: at(30) },
      { _id: 'auto-mark:s1', holder: 'auto-mark:app-2:41:cc', until: at(90) },
      { _id: 'migrations', holder: 'migrate:app-3:42:dd', until: at(300) },
      { _id: 'auto-mark:s2', holder: 'auto-mark:app-9:99:ee', until: at(0) }, // lapsed at this very instant
      { _id: 'auto-mark:s3', holder: 'auto-mark:app-9:99:ee', until: at(-600) },
    ], now);
    expect(status).toEqual({
      leases: [
        { job: 'auto-mark', instance: 'app-2:41', holder: 'auto-mark:app-2:41:cc', held: 1, until: at(90) },
        { job: 'grade-sync', instance: 'app-1:40', holder: 'grade-sync:app-1:40:aa', held: 2, until: at(120) },
        { job: 'grade-sync', instance: 'app-2:41', holder: 'grade-sync:app-2:41:bb', held: 1, until: at(30) },
        { job: 'migrations', instance: 'app-3:42', holder: 'migrate:app-3:42:dd', held: 1, until: at(300) },
      ],
      lapsed: 2,
    });
  });

  it('when a holder id is not in the usual shape, then it is shown as it is', () => {
    expect(groupLeases([{ _id: 'x', holder: 'someone', until: at(5) }], now).leases).toEqual([{ job: 'x', instance: 'someone', holder: 'someone', held: 1, until: at(5) }]);
  });
});
