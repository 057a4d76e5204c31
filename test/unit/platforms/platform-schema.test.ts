import { parsePlatformsFile } from '../../../src/platforms/platform.schema';
import { parsePlatformInput, PlatformInputError } from '../../../src/platforms/platform.service';

function moodleInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: 'https://moodle.example.edu',
    clientId: 'hIujPWETyVkD0Sz',
    authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
    tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
    jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
    ...overrides,
  };
}

/** The problems PlatformInputError lists for `input`, or a test failure when it is accepted. */
function problemsOf(input: unknown): string[] {
  try {
    parsePlatformInput(input);
  } catch (err) {
    expect(err).toBeInstanceOf(PlatformInputError);
    return (err as PlatformInputError).problems;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('platform registration input', () => {
  describe('when only the required fields are given, then the rest is filled in', () => {
    const platform = parsePlatformInput(moodleInput());

    it('then the name is the issuer’s host', () => {
      expect(platform.name).toBe('moodle.example.edu');
    });

    it('then every deployment is allowed and the registration is active', () => {
      expect(platform.deploymentIds).toEqual([]);
      expect(platform.status).toBe('active');
    });

    it('then the URLs are kept as given', () => {
      expect(platform).toMatchObject({
        issuer: 'https://moodle.example.edu',
        clientId: 'hIujPWETyVkD0Sz',
        authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
        tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
        jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
      });
    });
  });

  it('when the issuer has a port, then the default name keeps it', () => {
    expect(parsePlatformInput(moodleInput({ issuer: 'http://localhost:8080' })).name).toBe('localhost:8080');
  });

  it('when the issuer ends with a slash, then it is kept byte for byte (ltijs compares iss exactly)', () => {
    expect(parsePlatformInput(moodleInput({ issuer: 'https://moodle.example.edu/' })).issuer).toBe('https://moodle.example.edu/');
    expect(parsePlatformInput(moodleInput({ issuer: 'https://canvas.instructure.com' })).issuer).toBe('https://canvas.instructure.com');
  });

  it('when a name, deployments and a status are given, then they are used (trimmed)', () => {
    const platform = parsePlatformInput(moodleInput({ name: '  University Moodle ', clientId: ' abc ', deploymentIds: [' 1 ', '2'], status: 'pending' }));
    expect(platform).toMatchObject({ name: 'University Moodle', clientId: 'abc', deploymentIds: ['1', '2'], status: 'pending' });
  });

  it('when several fields are wrong, then every one of them is reported at once', () => {
    const problems = problemsOf(moodleInput({ issuer: 'not a url', clientId: '', authUrl: 'ftp://moodle.example.edu/auth' }));
    const fields = problems.map((p) => p.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['issuer', 'clientId', 'authUrl']));
    expect(fields).toHaveLength(3);
  });

  it('when the error is printed, then it lists each problem on its own line', () => {
    try {
      parsePlatformInput(moodleInput({ clientId: '' }));
      throw new Error('expected a PlatformInputError');
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid platform registration:\n {2}- clientId: /);
    }
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a whitespace-only client id', { clientId: '   ' }, 'clientId'],
    ['a javascript: token URL', { tokenUrl: 'javascript:alert(1)' }, 'tokenUrl'],
    ['a missing keyset URL', { jwksUrl: undefined }, 'jwksUrl'],
    ['an empty deployment id', { deploymentIds: ['1', ''] }, 'deploymentIds.1'],
    ['an unknown status', { status: 'disabled' }, 'status'],
    ['an empty name', { name: '  ' }, 'name'],
  ])('when the input has %s, then the problem names %s', (_name, overrides, field) => {
    expect(problemsOf(moodleInput(overrides)).map((p) => p.split(':')[0])).toEqual([field]);
  });

  it('when the input is not an object, then it is refused with a root problem', () => {
    expect(problemsOf('https://moodle.example.edu')).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});

describe('platforms file', () => {
  it('when it is a list or { platforms: [...] }, then both forms give the same registrations', () => {
    const list = parsePlatformsFile([moodleInput()], 'p.json');
    const wrapped = parsePlatformsFile({ platforms: [moodleInput()] }, 'p.json');
    expect(wrapped).toEqual(list);
    expect(list).toHaveLength(1);
  });

  it('when entries are invalid, then the whole file is refused and each problem names the file and entry', () => {
    let caught: unknown;
    try {
      parsePlatformsFile([moodleInput(), moodleInput({ issuer: 'nope' }), moodleInput({ clientId: '' })], 'p.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PlatformInputError);
    const problems = (caught as PlatformInputError).problems;
    expect(problems).toEqual([expect.stringMatching(/^p\.json: platforms\[1\]\.issuer: /), expect.stringMatching(/^p\.json: platforms\[2\]\.clientId: /)]);
  });

  it('when it is neither a list nor { platforms }, then it is refused with a clear message', () => {
    expect(() => parsePlatformsFile({ platform: [] }, 'p.json')).toThrow(/expected a list of registrations/);
  });
});
