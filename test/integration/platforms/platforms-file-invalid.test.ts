import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { PlatformInputError } from '../../../src/platforms/platform.service';
import { startHarness } from '../../support/tool';

// A separate file: ltijs is a per-process singleton, so a refused start cannot be retried here.
describe('an invalid platforms file', () => {
  it('when the file has several mistakes, then the tool refuses to start and lists each of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'platforms-bad-'));
    const file = join(dir, 'platforms.json');
    writeFileSync(
      file,
      JSON.stringify({ platforms: [{ issuer: 'not a url', clientId: '', authUrl: 'ftp://x', tokenUrl: 'https://t', jwksUrl: 'https://j' }] }),
    );
    const started = startHarness({ env: { PLATFORMS_FILE: file } });
    await expect(started).rejects.toBeInstanceOf(PlatformInputError);
    const err = (await started.catch((e: unknown) => e)) as PlatformInputError;
    expect(err.problems.join('\n')).toMatch(/issuer/);
    expect(err.problems.join('\n')).toMatch(/clientId/);
    expect(err.problems.join('\n')).toMatch(/authUrl/);
    expect(mongoose.connection.readyState).toBe(0); // nothing left connected
  });

  it('when the file is not JSON, then the error names the file', async () => {
    const { PlatformInputError: E, createPlatformService } = await import('../../../src/platforms/platform.service');
    const dir = mkdtempSync(join(tmpdir(), 'platforms-bad-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "platforms": [ ');
    const service = createPlatformService({ upsert: async () => undefined, remove: async () => undefined });
    await expect(service.loadPlatformsFile(file)).rejects.toBeInstanceOf(E);
    await expect(service.loadPlatformsFile(file)).rejects.toThrow(file);
  });
});
