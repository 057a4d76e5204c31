import { formVersion } from '../../../src/shared/version.schema';
import { atVersion, bumpVersion, stampOf, versionOf } from '../../../src/shared/versioned';

describe('versions of edit forms', () => {
  it('when a document has no version yet, then it is version 0, and version 0 also matches documents without the field', () => {
    expect(versionOf({})).toBe(0);
    expect(versionOf({ version: 4 })).toBe(4);
    expect(atVersion('version', 0)).toEqual({ version: { $in: [0, null] } });
    expect(atVersion('selfMarking.version', 3)).toEqual({ 'selfMarking.version': 3 });
  });

  it('when a form posts its version, then absent reads as 0 (pages from before versions) and anything malformed as -1 (matches nothing)', () => {
    expect(formVersion({ version: '7' })).toBe(7);
    expect(formVersion({})).toBe(0);
    expect(formVersion({ version: '' })).toBe(0);
    expect(formVersion({ version: 'x1' })).toBe(-1);
    expect(formVersion({ version: ['1', '2'] })).toBe(-1);
    expect(formVersion({ membersVersion: '2' }, 'membersVersion')).toBe(2);
  });

  it('when a bulk writer changes a document, then it moves the version on and names the editor, if known', () => {
    const at = new Date('2030-01-01T10:00:00Z');
    expect(bumpVersion({ by: 'u1', name: 'Jānis Ozols', at }, 'selfMarking')).toEqual({
      $inc: { 'selfMarking.version': 1 }, $set: { 'selfMarking.lastEdit': { by: 'u1', name: 'Jānis Ozols', at } },
    });
    expect(bumpVersion(undefined)).toEqual({ $inc: { version: 1 }, $set: {} });
    expect(stampOf({ lastEdit: { by: 'u1', name: null, at } })).toEqual({ by: 'u1', name: '', at });
    expect(stampOf({ lastEdit: {} })).toBeUndefined();
  });
});
