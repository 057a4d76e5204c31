import { onAttendanceChanged, subscribeAttendanceChanged } from '../../../src/grading/grade-hooks';

describe('grade hooks', () => {
  it('when nobody listens, then a change is accepted and nothing happens', async () => {
    await expect(onAttendanceChanged('c', 'a', ['u1'])).resolves.toBeUndefined();
  });

  it('when listeners are subscribed, then each is awaited with the change; after unsubscribing they hear nothing', async () => {
    const heard: string[] = [];
    const slow = subscribeAttendanceChanged(async (courseId, activityId, userIds) => {
      await new Promise((r) => setTimeout(r, 5));
      heard.push(`slow ${courseId}/${activityId} ${userIds.join(',')}`);
    });
    const fast = subscribeAttendanceChanged((_c, _a, userIds) => {
      heard.push(`fast ${userIds.length}`);
    });
    await onAttendanceChanged('c1', 'a1', ['u1', 'u2']);
    expect(heard.sort()).toEqual(['fast 2', 'slow c1/a1 u1,u2']);
    slow();
    fast();
    await onAttendanceChanged('c1', 'a1', ['u3']);
    expect(heard).toHaveLength(2);
  });

  it('when no student changed, then listeners are not called', async () => {
    const listener = jest.fn();
    const off = subscribeAttendanceChanged(listener);
    await onAttendanceChanged('c', 'a', []);
    off();
    expect(listener).not.toHaveBeenCalled();
  });

  it('when one listener fails, then the others still run and the failure is reported', async () => {
    const other = jest.fn();
    const offBad = subscribeAttendanceChanged(() => Promise.reject(new Error('queue down')));
    const offOther = subscribeAttendanceChanged(other);
    await expect(onAttendanceChanged('c', 'a', ['u1'])).rejects.toThrow('queue down');
    offBad();
    offOther();
    expect(other).toHaveBeenCalledWith('c', 'a', ['u1']);
  });
});
