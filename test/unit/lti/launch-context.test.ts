import fs from 'node:fs';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { LaunchData, LtijsContext, LtijsToken, toLaunchContext, toLaunchData } from '../../../src/lti/launch-context';

const FIXTURES = '/work/shared/fixtures/moodle';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

// Claims are read straight from JSON fixtures, as ltijs does.
type Claims = Record<string, any>;

const readFixture = (name: string): Claims => JSON.parse(fs.readFileSync(`${FIXTURES}/${name}`, 'utf8')) as Claims;

/** What ltijs puts in res.locals.token / res.locals.context for a given id_token. */
function asLtijs(claims: Claims): { token: LtijsToken; ctx: LtijsContext } {
  return {
    token: {
      iss: claims.iss,
      user: claims.sub,
      clientId: claims.aud,
      deploymentId: claims[`${LTI}deployment_id`],
      userInfo: { given_name: claims.given_name, family_name: claims.family_name, name: claims.name, email: claims.email },
    },
    ctx: {
      context: claims[`${LTI}context`],
      resource: claims[`${LTI}resource_link`],
      roles: claims[`${LTI}roles`],
      custom: claims[`${LTI}custom`],
      launchPresentation: claims[`${LTI}launch_presentation`],
      endpoint: claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'],
      namesRoles: claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'],
      messageType: claims[`${LTI}message_type`],
      lis: claims[`${LTI}lis`],
    },
  };
}

function teacherData(ctxChanges: Partial<LtijsContext> = {}): LaunchData {
  const { token, ctx } = asLtijs(readFixture('idtoken-teacher.json'));
  return toLaunchData(token, { ...ctx, custom: { ...ctx.custom, username: 'teacher1' }, ...ctxChanges });
}

const URL_SAFE_22 = /^[A-Za-z0-9_-]{22}$/;

describe('toLaunchData', () => {
  describe('when Moodle launches a teacher', () => {
    const data = teacherData();

    it('then the person is recorded with names, email, SIS id and username', () => {
      expect(data.userId).toBe('3');
      expect(data.user).toEqual({
        givenName: 'Terry',
        familyName: 'Teacher',
        name: 'Terry Teacher',
        email: 'teacher1@example.com',
        sourcedId: 'ID-teacher1',
        username: 'teacher1',
      });
    });

    it('then the Instructor role makes them a teacher', () => {
      expect(data.role).toBe('teacher');
      expect(data.ltiRoles).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
    });

    it('then the course, activity and platform are recorded', () => {
      expect(data).toMatchObject({ issuer: 'http://localhost:8080', clientId: 'hIujPWETyVkD0Sz', deploymentId: '1', messageType: 'LtiResourceLinkRequest' });
      expect(data.context).toEqual({ id: '2', label: 'ATT101', title: 'ATT101 Attendance & Tools' });
      expect(data.resourceLink).toEqual({ id: '1', title: 'LTI Probe Activity', description: 'Launches the harness tool' });
      expect(data.locale).toBe('en');
      expect(data.returnUrl).toMatch(/^http:\/\/localhost:8080\/mod\/lti\/return\.php\?/);
    });

    it('then the gradebook and roster service URLs are kept', () => {
      expect(data.services).toEqual({
        agsLineItemsUrl: 'http://localhost:8080/mod/lti/services.php/2/lineitems?type_id=1',
        agsLineItemUrl: 'http://localhost:8080/mod/lti/services.php/2/lineitems/2/lineitem?type_id=1',
        agsScopes: expect.arrayContaining(['https://purl.imsglobal.org/spec/lti-ags/scope/score']),
        nrpsUrl: 'http://localhost:8080/mod/lti/services.php/CourseSection/2/bindings/1/memberships',
      });
    });
  });

  it('when Moodle launches a learner, then they are a student', () => {
    const { token, ctx } = asLtijs(readFixture('idtoken-student.json'));
    expect(toLaunchData(token, ctx).role).toBe('student');
  });

  it('when the username comes as custom.user_username, then it is used', () => {
    expect(teacherData({ custom: { user_username: 'tt1' } }).user.username).toBe('tt1');
  });

  it('when optional parts are missing or empty, then they stay undefined rather than empty strings', () => {
    const data = toLaunchData(
      { iss: 'https://lms.example.edu', user: 'u1', clientId: 'c1', deploymentId: 'd1', userInfo: { given_name: '', email: '' } },
      { context: { id: '' }, resource: { id: 'r1', title: '' }, roles: [], launchPresentation: { locale: '', return_url: '' }, endpoint: {} },
    );
    expect(data.user).toEqual({ givenName: '', familyName: '', name: '', email: undefined, sourcedId: undefined, username: undefined });
    expect(data.context).toBeUndefined();
    expect(data.resourceLink).toEqual({ id: 'r1', title: undefined, description: undefined });
    expect(data.locale).toBeUndefined();
    expect(data.returnUrl).toBeUndefined();
    expect(data.services).toEqual({ agsLineItemsUrl: undefined, agsLineItemUrl: undefined, agsScopes: undefined, nrpsUrl: undefined });
    expect(data.role).toBe('limited');
    expect(data.messageType).toBe('LtiResourceLinkRequest');
  });

  it('when no full name is sent, then it is built from the given and family names', () => {
    const data = toLaunchData({ iss: 'i', user: 'u', clientId: 'c', deploymentId: 'd', userInfo: { given_name: 'Anna', family_name: 'Bērziņa' } }, {});
    expect(data.user.name).toBe('Anna Bērziņa');
  });
});

describe('toLaunchContext', () => {
  it('when the LMS asks for lv-LV, then pages are Latvian', () => {
    expect(toLaunchContext(teacherData({ launchPresentation: { locale: 'lv-LV' } }), 'ltik-1', 'en').locale).toBe('lv');
  });

  it('when the LMS asks for an unsupported or no locale, then the configured default is used', () => {
    expect(toLaunchContext(teacherData({ launchPresentation: { locale: 'de-DE' } }), 'ltik-1', 'lv').locale).toBe('lv');
    expect(toLaunchContext(teacherData({ launchPresentation: {} }), 'ltik-1', 'lv').locale).toBe('lv');
  });

  it('when the launch has a resource link, then course and activity ids are derived from it', () => {
    const data = teacherData();
    const launch = toLaunchContext(data, 'ltik-1', 'en');
    expect(launch.courseId).toBe(courseKey('http://localhost:8080', 'hIujPWETyVkD0Sz', '2', '1'));
    expect(launch.activityId).toBe(activityKey(launch.courseId, '1'));
    expect(launch).toMatchObject({ ltik: 'ltik-1', role: 'teacher', userName: 'Terry Teacher', userId: '3', messageType: 'LtiResourceLinkRequest' });
  });

  it('when the launch has no resource link (deep linking), then there is no activity', () => {
    const { token, ctx } = asLtijs(readFixture('idtoken-deeplinking.json'));
    const launch = toLaunchContext(toLaunchData(token, ctx), 'ltik-2', 'en');
    expect(launch.activityId).toBeUndefined();
    expect(launch.courseId).toBe(toLaunchContext(teacherData(), 'ltik-1', 'en').courseId);
  });
});

describe('course and activity keys', () => {
  const base = courseKey('https://lms.example.edu', 'client-1', 'ctx-1', 'rl-1');

  it('when computed twice from the same launch, then they are the same URL-safe 22 characters', () => {
    expect(courseKey('https://lms.example.edu', 'client-1', 'ctx-1', 'rl-1')).toBe(base);
    expect(base).toMatch(URL_SAFE_22);
    expect(activityKey(base, 'rl-1')).toBe(activityKey(base, 'rl-1'));
    expect(activityKey(base, 'rl-1')).toMatch(URL_SAFE_22);
  });

  it('when the same context id comes from another issuer, client or context, then the course differs', () => {
    const others = [
      courseKey('https://other.example.edu', 'client-1', 'ctx-1', 'rl-1'),
      courseKey('https://lms.example.edu', 'client-2', 'ctx-1', 'rl-1'),
      courseKey('https://lms.example.edu', 'client-1', 'ctx-2', 'rl-1'),
    ];
    expect(new Set([base, ...others]).size).toBe(4);
  });

  it('when a context exists, then another resource link in the same course keeps the course id', () => {
    expect(courseKey('https://lms.example.edu', 'client-1', 'ctx-1', 'rl-2')).toBe(base);
    expect(activityKey(base, 'rl-2')).not.toBe(activityKey(base, 'rl-1'));
  });

  it('when separators appear inside values, then ("a|b","c") and ("a","b|c") do not collide', () => {
    expect(courseKey('a|b', 'c', 'x', undefined)).not.toBe(courseKey('a', 'b|c', 'x', undefined));
    expect(courseKey('a', 'b', 'c","d', undefined)).not.toBe(courseKey('a', 'b","c', 'd', undefined));
  });

  it('when there is no context, then the resource link stands for the course and cannot clash with a context of the same id', () => {
    const byLink = courseKey('https://lms.example.edu', 'client-1', undefined, 'same-id');
    const byContext = courseKey('https://lms.example.edu', 'client-1', 'same-id', undefined);
    expect(byLink).toMatch(URL_SAFE_22);
    expect(byLink).not.toBe(byContext);
    expect(courseKey('https://lms.example.edu', 'client-1', undefined, 'other-id')).not.toBe(byLink);
  });
});
