import { ConfigError, loadConfig } from '../../../config/config';
import { catalogKeys } from '../../../src/i18n/i18n';
import {
  approveCommand, buildToolRegistration, hostAllowed, hostListed, lmsErrorText, LTI_PLATFORM_CONFIGURATION, LTI_TOOL_CONFIGURATION,
  PlatformConfiguration, readRegistrationAnswer, readRegistrationRequest, REGISTRATION_REFUSALS, RegistrationRefusal,
  toPlatformInput, validateConfiguration,
} from '../../../src/platforms/dynamic-registration';

const DEV = { allowHttp: true, allowedHosts: [] };
const PROD = { allowHttp: false, allowedHosts: [] };

function refusalOf(fn: () => unknown): RegistrationRefusal {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RegistrationRefusal);
    return err as RegistrationRefusal;
  }
  throw new Error('expected a refusal');
}

const moodleConfig = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: 'https://moodle.example.edu',
  authorization_endpoint: 'https://moodle.example.edu/mod/lti/auth.php',
  token_endpoint: 'https://moodle.example.edu/mod/lti/token.php',
  jwks_uri: 'https://moodle.example.edu/mod/lti/certs.php',
  registration_endpoint: 'https://moodle.example.edu/mod/lti/openid-registration.php',
  claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
  [LTI_PLATFORM_CONFIGURATION]: {
    product_family_code: 'moodle',
    version: '4.5',
    messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] }],
  },
  ...over,
});
const MOODLE_CFG_URL = new URL('https://moodle.example.edu/mod/lti/openid-configuration.php');

describe('the /register request (readRegistrationRequest)', () => {
  it.each([
    [{}, 'openid_configuration, registration_token'],
    [{ openid_configuration: 'https://lms.example/cfg' }, 'registration_token'],
    [{ registration_token: 'abc' }, 'openid_configuration'],
    [{ openid_configuration: '  ', registration_token: ' ' }, 'openid_configuration, registration_token'],
    [{ openid_configuration: ['a', 'b'], registration_token: 'x' }, 'openid_configuration'],
  ])('when parameters are missing (%j), then it is refused naming them', (query, names) => {
    const r = refusalOf(() => readRegistrationRequest(query, DEV));
    expect(r.kind).toBe('missing_parameters');
    expect(r.status).toBe(400);
    expect(r.detail).toBe(names);
  });

  it.each(['ftp://lms.example/cfg', 'javascript:alert(1)', 'not a url', 'https://user:pw@lms.example/cfg', 'file:///etc/passwd'])(
    'when the configuration URL is %s, then it is refused as unusable',
    (url) => {
      expect(refusalOf(() => readRegistrationRequest({ openid_configuration: url, registration_token: 't' }, DEV)).kind).toBe('invalid_configuration_url');
    },
  );

  it('when the configuration URL is http, then development accepts it and production refuses it', () => {
    const query = { openid_configuration: 'http://lms.example.edu:8080/cfg', registration_token: 't' };
    expect(readRegistrationRequest(query, DEV).configurationUrl.href).toBe('http://lms.example.edu:8080/cfg');
    expect(refusalOf(() => readRegistrationRequest(query, PROD)).kind).toBe('invalid_configuration_url');
  });

  it('when both parameters are valid, then the URL and token come back', () => {
    const got = readRegistrationRequest({ openid_configuration: MOODLE_CFG_URL.href, registration_token: ' tok ' }, PROD);
    expect(got).toEqual({ configurationUrl: MOODLE_CFG_URL, token: 'tok' });
  });

  it('when allowed hosts are configured, then only those hosts may register', () => {
    const rules = { allowHttp: false, allowedHosts: ['moodle.example.edu'] };
    expect(readRegistrationRequest({ openid_configuration: MOODLE_CFG_URL.href, registration_token: 't' }, rules).token).toBe('t');
    const r = refusalOf(() => readRegistrationRequest({ openid_configuration: 'https://evil.example/cfg', registration_token: 't' }, rules));
    expect(r.kind).toBe('host_not_allowed');
    expect(r.status).toBe(403);
  });

  it.each([
    'http://127.0.0.1:8080/cfg', 'http://10.1.2.3/cfg', 'http://169.254.169.254/latest', 'http://[::1]/cfg',
    'http://[::ffff:127.0.0.1]/cfg', 'http://0.0.0.0/cfg', 'http://2130706433/cfg', 'http://[fd00::1]/cfg',
  ])('when the configuration URL is the internal address %s, then it is refused before anything is fetched', (url) => {
    const r = refusalOf(() => readRegistrationRequest({ openid_configuration: url, registration_token: 't' }, DEV));
    expect(r.kind).toBe('address_not_allowed');
    expect(r.status).toBe(403);
    expect(r.shown).toBeUndefined();
  });

  it('when an internal address is on DYNREG_ALLOWED_HOSTS, then it is accepted (but never link-local or unspecified)', () => {
    const rules = { allowHttp: true, allowedHosts: ['127.0.0.1', '169.254.169.254', '0.0.0.0'] };
    expect(readRegistrationRequest({ openid_configuration: 'http://127.0.0.1:8080/cfg', registration_token: 't' }, rules).token).toBe('t');
    for (const url of ['http://169.254.169.254/latest', 'http://0.0.0.0/cfg']) {
      expect(refusalOf(() => readRegistrationRequest({ openid_configuration: url, registration_token: 't' }, rules)).kind).toBe('address_not_allowed');
    }
  });

  it('when a refusal names missing parameters, then only those names are shown, never the URL it was given', () => {
    expect(refusalOf(() => readRegistrationRequest({ openid_configuration: 'https://lms.example/cfg' }, DEV)).shown).toBe('registration_token');
    expect(refusalOf(() => readRegistrationRequest({ openid_configuration: 'gopher://10.0.0.1:70/x', registration_token: 't' }, DEV)).shown).toBeUndefined();
  });
});

describe('hostListed (DYNREG_ALLOWED_HOSTS names the host itself)', () => {
  it.each([
    [[], 'https://any.example', false],
    [['127.0.0.1'], 'http://127.0.0.1:3001/x', true],
    [['localhost'], 'http://localhost:3001/x', true],
    [['localhost:3001'], 'http://localhost:3002/x', false],
    [['*.example.edu'], 'https://lms.example.edu', true],
  ])('when the list is %j, then %s is listed: %s', (list, url, expected) => {
    expect(hostListed(new URL(url), list)).toBe(expected);
  });
});

describe('hostAllowed', () => {
  it.each([
    [[], 'https://any.example', true],
    [['lms.example.edu'], 'https://lms.example.edu/x', true],
    [['lms.example.edu'], 'https://LMS.example.edu/x', true],
    [['lms.example.edu'], 'https://other.example.edu', false],
    [['*.example.edu'], 'https://lms.example.edu', true],
    [['*.example.edu'], 'https://a.b.example.edu', true],
    [['*.example.edu'], 'https://example.edu', false],
    [['*.example.edu'], 'https://badexample.edu', false],
    [['localhost:8080'], 'http://localhost:8080/cfg', true],
    [['localhost:8080'], 'http://localhost:9090/cfg', false],
  ])('when the list is %j, then %s is allowed: %s', (list, url, expected) => {
    expect(hostAllowed(new URL(url), list)).toBe(expected);
  });
});

describe('the LMS OpenID configuration (validateConfiguration)', () => {
  it('when Moodle sends a complete configuration from its own site, then it is accepted', () => {
    const cfg = validateConfiguration(moodleConfig(), MOODLE_CFG_URL, PROD);
    expect(cfg).toMatchObject({
      issuer: 'https://moodle.example.edu',
      authorizationEndpoint: 'https://moodle.example.edu/mod/lti/auth.php',
      tokenEndpoint: 'https://moodle.example.edu/mod/lti/token.php',
      jwksUri: 'https://moodle.example.edu/mod/lti/certs.php',
      registrationEndpoint: 'https://moodle.example.edu/mod/lti/openid-registration.php',
      productFamilyCode: 'moodle',
      version: '4.5',
    });
    expect(cfg.messagesSupported).toEqual([
      { type: 'LtiResourceLinkRequest', placements: [] },
      { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] },
    ]);
  });

  it('when Moodle lives in a subdirectory, then an issuer with that path is accepted', () => {
    const url = new URL('https://www.example.edu/moodle/mod/lti/openid-configuration.php');
    const cfg = moodleConfig({ issuer: 'https://www.example.edu/moodle', registration_endpoint: 'https://www.example.edu/moodle/mod/lti/openid-registration.php' });
    expect(validateConfiguration(cfg, url, PROD).issuer).toBe('https://www.example.edu/moodle');
  });

  it.each([
    ['another host', 'https://evil.example'],
    ['another scheme', 'http://moodle.example.edu'],
    ['another port', 'https://moodle.example.edu:8443'],
    ['a path the configuration is not under', 'https://moodle.example.edu/other'],
  ])('when the issuer is on %s, then it is refused as a mismatch', (_label, issuer) => {
    const r = refusalOf(() => validateConfiguration(moodleConfig({ issuer }), MOODLE_CFG_URL, DEV));
    expect(r.kind).toBe('issuer_mismatch');
    expect(r.status).toBe(403);
  });

  it('when the registration endpoint is on another site, then the token is not sent there', () => {
    const r = refusalOf(() => validateConfiguration(moodleConfig({ registration_endpoint: 'https://collector.example/steal' }), MOODLE_CFG_URL, PROD));
    expect(r.kind).toBe('registration_endpoint_mismatch');
  });

  it('when required fields are missing or not URLs, then every problem is named', () => {
    const cfg = moodleConfig({ token_endpoint: undefined, jwks_uri: 'certs.php' });
    delete cfg.authorization_endpoint;
    const r = refusalOf(() => validateConfiguration(cfg, MOODLE_CFG_URL, PROD));
    expect(r.kind).toBe('configuration_incomplete');
    expect(r.detail).toContain('authorization_endpoint missing');
    expect(r.detail).toContain('token_endpoint missing');
    expect(r.detail).toContain('jwks_uri is not a valid https URL');
  });

  it('when a production tool gets http endpoints, then they are refused', () => {
    const r = refusalOf(() => validateConfiguration(moodleConfig({ token_endpoint: 'http://moodle.example.edu/mod/lti/token.php' }), MOODLE_CFG_URL, PROD));
    expect(r.kind).toBe('configuration_incomplete');
    expect(r.detail).toContain('token_endpoint');
  });

  it.each([[null], [[1, 2]], ['text'], [42]])('when the configuration is %j rather than an object, then it is refused as not JSON', (raw) => {
    expect(refusalOf(() => validateConfiguration(raw, MOODLE_CFG_URL, PROD)).kind).toBe('configuration_not_json');
  });
});

describe('our tool configuration (buildToolRegistration)', () => {
  const platform = validateConfiguration(moodleConfig(), MOODLE_CFG_URL, PROD);
  const reg = buildToolRegistration('https://attendance.example.edu', platform);
  const tool = reg[LTI_TOOL_CONFIGURATION] as Record<string, unknown>;

  it('then it is an OpenID client for LTI launches signed with our keys', () => {
    expect(reg).toMatchObject({
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: 'https://attendance.example.edu/login',
      redirect_uris: ['https://attendance.example.edu/launch'],
      jwks_uri: 'https://attendance.example.edu/keys',
      client_name: 'LTI Attendance',
      token_endpoint_auth_method: 'private_key_jwt',
    });
  });

  it('then it asks for the AGS and NRPS scopes', () => {
    expect(String(reg.scope).split(' ').sort()).toEqual([
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
      'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ]);
  });

  it('then the LTI tool configuration names our domain, launch URL, username parameter, claims and messages', () => {
    expect(tool).toMatchObject({
      domain: 'attendance.example.edu',
      target_link_uri: 'https://attendance.example.edu/launch',
      custom_parameters: { username: '$User.username' },
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
    });
    expect(tool.messages).toEqual([
      { type: 'LtiResourceLinkRequest', target_link_uri: 'https://attendance.example.edu/launch', label: 'LTI Attendance' },
      { type: 'LtiDeepLinkingRequest', target_link_uri: 'https://attendance.example.edu/launch', label: 'LTI Attendance', placements: ['ContentArea'] },
    ]);
  });

  it('when the tool lives under a path, then every URL keeps it', () => {
    const r = buildToolRegistration('https://example.edu/attendance', platform);
    expect(r.initiate_login_uri).toBe('https://example.edu/attendance/login');
    expect((r[LTI_TOOL_CONFIGURATION] as Record<string, unknown>).domain).toBe('example.edu');
  });

  it('when the LMS does not support deep linking or some claims, then it is not asked for them', () => {
    const p: PlatformConfiguration = { ...platform, messagesSupported: [{ type: 'LtiResourceLinkRequest', placements: [] }], claimsSupported: ['sub', 'iss'] };
    const t = buildToolRegistration('https://attendance.example.edu', p)[LTI_TOOL_CONFIGURATION] as Record<string, unknown>;
    expect((t.messages as Array<{ type: string }>).map((m) => m.type)).toEqual(['LtiResourceLinkRequest']);
    expect(t.claims).toEqual(['iss', 'sub']);
  });

  it('when the LMS names deep linking placements, then ours use them', () => {
    const p: PlatformConfiguration = { ...platform, messagesSupported: [{ type: 'LtiDeepLinkingRequest', placements: ['link_selection'] }] };
    const t = buildToolRegistration('https://attendance.example.edu', p)[LTI_TOOL_CONFIGURATION] as Record<string, unknown>;
    expect((t.messages as Array<{ placements?: string[] }>)[1]?.placements).toEqual(['link_selection']);
  });
});

describe("the LMS's registration answer (readRegistrationAnswer)", () => {
  it.each([
    [{ client_id: 'abc', [LTI_TOOL_CONFIGURATION]: { deployment_id: '7' } }, { clientId: 'abc', deploymentId: '7' }],
    [{ client_id: 123, [LTI_TOOL_CONFIGURATION]: { deployment_id: 4 } }, { clientId: '123', deploymentId: '4' }],
    [{ client_id: 'abc' }, { clientId: 'abc', deploymentId: undefined }],
  ])('when the answer is %j, then it reads %j', (raw, expected) => {
    expect(readRegistrationAnswer(raw)).toEqual(expected);
  });

  it.each([[{}], [{ client_id: '' }], [{ client_id: null }], [[]], ['ok'], [{ client_id: 'x'.repeat(256) }]])('when the answer is %j, then it is refused', (raw) => {
    const r = refusalOf(() => readRegistrationAnswer(raw));
    expect(r.kind).toBe('registration_answer_invalid');
    expect(r.status).toBe(502);
  });
});

describe('lmsErrorText', () => {
  it('when the LMS answers an OAuth error, then its error and description are shown', () => {
    expect(lmsErrorText(401, '{"error":"invalid_token","error_description":"Expired"}')).toBe('HTTP 401: invalid_token: Expired');
  });
  it('when the LMS answers an HTML page, then a short one-line excerpt is shown', () => {
    const text = lmsErrorText(500, `<html>\n<body>${'x'.repeat(1000)}</body></html>`);
    expect(text.startsWith('HTTP 500: <html> <body>')).toBe(true);
    expect(text.length).toBeLessThan(320);
  });
  it('when the body is empty, then only the status is shown', () => {
    expect(lmsErrorText(503, '  ')).toBe('HTTP 503');
  });
});

describe('the stored registration (toPlatformInput)', () => {
  const platform = validateConfiguration(moodleConfig(), MOODLE_CFG_URL, PROD);
  it.each([
    [false, 'pending'],
    [true, 'active'],
  ])('when auto-activation is %s, then the registration is %s, with the deployment allowed', (auto, status) => {
    expect(toPlatformInput(platform, { clientId: 'c1', deploymentId: '3' }, auto)).toEqual({
      issuer: 'https://moodle.example.edu',
      clientId: 'c1',
      name: 'moodle.example.edu (moodle)',
      authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
      tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
      jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
      deploymentIds: ['3'],
      status,
    });
  });
  it('when the LMS named no deployment, then every deployment is allowed', () => {
    expect(toPlatformInput(platform, { clientId: 'c1' }, false).deploymentIds).toEqual([]);
  });
});

describe('approveCommand', () => {
  it('when the values are plain, then they are not quoted', () => {
    expect(approveCommand('https://moodle.example.edu', 'AbC123')).toBe('npm run platform -- approve --issuer https://moodle.example.edu --client-id AbC123');
  });
  it('when a value holds shell characters, then it is single-quoted safely', () => {
    expect(approveCommand('https://x.example', "a b'c")).toBe(`npm run platform -- approve --issuer https://x.example --client-id 'a b'\\''c'`);
  });
  it('when the tool\'s data settings are given, then the command names its DATA_DIR, and MONGODB_DB only when it is not the default', () => {
    expect(approveCommand('https://m.example', 'c1', { dataDir: '/srv/attendance/data', dbName: 'lti_attendance' }))
      .toBe('DATA_DIR=/srv/attendance/data npm run platform -- approve --issuer https://m.example --client-id c1');
    expect(approveCommand('https://m.example', 'c1', { dataDir: '/srv/my data', dbName: 'attendance_test' }))
      .toBe(`DATA_DIR='/srv/my data' MONGODB_DB=attendance_test npm run platform -- approve --issuer https://m.example --client-id c1`);
  });
});

describe('refusal pages', () => {
  it('when a registration is refused, then every kind has a title, message and hint in English and Latvian', () => {
    const missing: string[] = [];
    for (const locale of ['en', 'lv'] as const) {
      const keys = new Set(catalogKeys(locale));
      for (const kind of Object.keys(REGISTRATION_REFUSALS)) {
        for (const part of ['title', 'message', 'hint']) if (!keys.has(`registration.errors.${kind}.${part}`)) missing.push(`${locale}: ${kind}.${part}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('DYNREG_* configuration', () => {
  it('when nothing is set, then dynamic registration is on, new LMSs wait for approval, any host, 10 attempts per 10 minutes', () => {
    expect(loadConfig({}).dynamicRegistration).toEqual({ enabled: true, autoActivate: false, allowedHosts: [], requestsPer10Minutes: 10 });
  });

  it('when the variables are set, then they are parsed', () => {
    const c = loadConfig({ DYNREG_ENABLED: 'false', DYNREG_AUTO_ACTIVATE: 'yes', DYNREG_ALLOWED_HOSTS: 'Moodle.Example.edu, *.school.lv ,localhost:8080', DYNREG_RATE_LIMIT_PER_10_MINUTES: '0' });
    expect(c.dynamicRegistration).toEqual({ enabled: false, autoActivate: true, allowedHosts: ['moodle.example.edu', '*.school.lv', 'localhost:8080'], requestsPer10Minutes: 0 });
  });

  it('when values are wrong, then they are reported together with every other problem', () => {
    try {
      loadConfig({ DYNREG_ENABLED: 'maybe', DYNREG_ALLOWED_HOSTS: 'https://moodle.example.edu/', DYNREG_RATE_LIMIT_PER_10_MINUTES: '-1', PORT: 'x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const vars = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(vars).toEqual(expect.arrayContaining(['DYNREG_ENABLED', 'DYNREG_ALLOWED_HOSTS', 'DYNREG_RATE_LIMIT_PER_10_MINUTES', 'PORT']));
    }
  });
});
