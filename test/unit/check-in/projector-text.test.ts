import { counterText, PROJECTOR_TITLE_MAX, projectorTitle } from '../../../src/check-in/projector.presenter';
import { translator } from '../../../src/i18n/i18n';

const en = translator('en');
const lv = translator('lv');

describe('the projector counter', () => {
  it('when only students checked in, then it counts their check-ins', () => {
    expect(counterText({ checkedIn: 12, marked: 12, expected: 30 }, en)).toBe('12 of 30 checked in');
  });

  it('when the teacher marked the others by hand, then it still counts check-ins and adds how many are marked in all', () => {
    expect(counterText({ checkedIn: 0, marked: 30, expected: 30 }, en)).toBe('0 of 30 checked in · 30 marked in all');
    expect(counterText({ checkedIn: 1, marked: 21, expected: 30 }, lv)).toBe('Reģistrējies 1 no 30 · kopā atzīmēts 21');
  });
});

describe('the projector title', () => {
  it('when the description is short, then it is shown whole', () => {
    expect(projectorTitle('  Optics, lecture 3 ')).toBe('Optics, lecture 3');
  });

  it('when it is 500 characters, then it is cut to the limit with an ellipsis, never inside a character', () => {
    const cut = projectorTitle('Ā'.repeat(500));
    expect(Array.from(cut)).toHaveLength(PROJECTOR_TITLE_MAX);
    expect(cut.endsWith('…')).toBe(true);
    expect(projectorTitle('😀'.repeat(200)).endsWith('😀…')).toBe(true);
  });
});
