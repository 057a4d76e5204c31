import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ltiKeyFingerprint, ltiKeyInEffect, restoreKeyProblem } from '../../../src/ops/lti-key-check';

const KEY = 'a'.repeat(64);

describe('the LTI key check of a restore', () => {
  it('when LTI_KEY is set, then that is the key; else the development key file; a missing file is not created', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keycheck-'));
    expect(ltiKeyInEffect({ ltiKey: KEY, dataDir: dir })).toEqual({ key: KEY, where: 'LTI_KEY' });
    expect(ltiKeyInEffect({ dataDir: dir }).key).toBeUndefined();
    writeFileSync(path.join(dir, 'lti-key'), `${KEY}\n`);
    expect(ltiKeyInEffect({ dataDir: dir })).toEqual({ key: KEY, where: path.join(dir, 'lti-key') });
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the key is the backup\'s, then there is no problem; a missing or different key is named', () => {
    const fp = ltiKeyFingerprint(KEY);
    expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(fp).not.toContain(KEY.slice(0, 8));
    expect(restoreKeyProblem(fp, { key: KEY, where: 'LTI_KEY' })).toBeUndefined();
    expect(restoreKeyProblem(fp, { where: '/data/lti-key' })).toMatch(/No LTI key is set here.*copy that tool's DATA_DIR\/lti-key to \/data\/lti-key/);
    expect(restoreKeyProblem(fp, { key: 'b'.repeat(64), where: 'LTI_KEY' })).toMatch(/not the one the backup was made with/);
    expect(restoreKeyProblem(null, { where: 'x' })).toBeUndefined();
  });
});
