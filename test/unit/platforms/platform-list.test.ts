import { parsePlatformsFile, PlatformInputError } from '../../../src/platforms/platform.schema';

/** Two blocks of one Open edX: one issuer, a client id, token URL and keyset URL per block, deployment 1. */
function block(configId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: 'https://lms.openedx.example',
    clientId: `client-${configId}`,
    authUrl: 'https://lms.openedx.example/api/lti_consumer/v1/launch/',
    tokenUrl: `https://lms.openedx.example/api/lti_consumer/v1/token/${configId}`,
    jwksUrl: `https://lms.openedx.example/api/lti_consumer/v1/public_keysets/${configId}`,
    deploymentIds: ['1'],
    lms: 'openedx',
    ...overrides,
  };
}

function refusal(raw: unknown, opts: { requireEntries?: boolean } = {}): PlatformInputError {
  try {
    parsePlatformsFile(raw, 'blocks.json', opts);
  } catch (err) {
    expect(err).toBeInstanceOf(PlatformInputError);
    return err as PlatformInputError;
  }
  throw new Error('expected the list to be refused');
}

describe('a list of registrations (npm run platform -- add --from-json, POST /admin/api/platforms)', () => {
  it('when every entry is valid, then all are returned with the LMS kind they were marked with', () => {
    const list = parsePlatformsFile([block('a1'), block('b2', { lms: undefined })], 'blocks.json');
    expect(list.map((p) => [p.clientId, p.lms, p.deploymentIds])).toEqual([
      ['client-a1', 'openedx', ['1']],
      ['client-b2', undefined, ['1']],
    ]);
  });

  it('when several entries are wrong, then every problem of every entry is listed with its entry and field', () => {
    const err = refusal([block('a1'), block('b2', { clientId: '', tokenUrl: 'nope' }), block('c3', { lms: 'blackboard' })]);
    expect(err.issues).toEqual([
      { entry: 1, field: 'clientId', message: expect.any(String) },
      { entry: 1, field: 'tokenUrl', message: expect.any(String) },
      { entry: 2, field: 'lms', message: expect.any(String) },
    ]);
    expect(err.problems).toEqual([
      expect.stringMatching(/^blocks\.json: platforms\[1\]\.clientId: /),
      expect.stringMatching(/^blocks\.json: platforms\[1\]\.tokenUrl: /),
      expect.stringMatching(/^blocks\.json: platforms\[2\]\.lms: /),
    ]);
  });

  it('when two entries name the same issuer and client id, then the second is refused as a duplicate', () => {
    const err = refusal({ platforms: [block('a1'), block('b2'), block('a1', { name: 'again' })] });
    expect(err.issues).toEqual([{ entry: 2, field: 'clientId', message: 'the same issuer and client id as entry 0' }]);
  });

  it('when the list is not a list, or is empty where entries are required, then that is the problem', () => {
    expect(refusal({ blocks: [] }).issues).toEqual([{ field: '(root)', message: 'expected a list of registrations or { "platforms": [ ... ] }' }]);
    expect(refusal([], { requireEntries: true }).issues).toEqual([{ field: '(root)', message: 'the list is empty' }]);
    expect(parsePlatformsFile([], 'platforms.json')).toEqual([]); // a platforms file may register nothing
  });
});
