import { canvasConfiguration } from '../../../src/platforms/canvas-config';

interface Placement { placement: string; message_type: string; target_link_uri: string }
interface Extension { platform: string; privacy_level: string; domain: string; settings: { placements: Placement[] } }

describe('the Canvas developer-key JSON (canvasConfiguration)', () => {
  const cfg = canvasConfiguration('https://attendance.example.edu');
  const ext = (cfg.extensions as Extension[])[0];

  it('then the OIDC, launch and JWKS URLs derive from PUBLIC_URL', () => {
    expect(cfg).toMatchObject({
      title: 'LTI Attendance',
      oidc_initiation_url: 'https://attendance.example.edu/login',
      target_link_uri: 'https://attendance.example.edu/launch',
      public_jwk_url: 'https://attendance.example.edu/keys',
    });
    expect(typeof cfg.description).toBe('string');
  });

  it('then it asks for the AGS and NRPS scopes', () => {
    expect(cfg.scopes).toEqual(expect.arrayContaining([
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
      'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ]));
    expect(cfg.scopes).toHaveLength(5);
  });

  it('then Canvas shares names and emails (privacy public) and offers course navigation and link/assignment selection through deep linking', () => {
    expect(cfg.extensions).toHaveLength(1);
    expect(ext).toMatchObject({ platform: 'canvas.instructure.com', privacy_level: 'public', domain: 'attendance.example.edu' });
    const placements = Object.fromEntries((ext?.settings.placements ?? []).map((p) => [p.placement, p.message_type]));
    expect(placements).toEqual({
      course_navigation: 'LtiResourceLinkRequest',
      link_selection: 'LtiDeepLinkingRequest',
      assignment_selection: 'LtiDeepLinkingRequest',
    });
    for (const p of ext?.settings.placements ?? []) expect(p.target_link_uri).toBe('https://attendance.example.edu/launch');
  });

  it('then the username and timezone custom fields are set, as for Moodle', () => {
    expect(cfg.custom_fields).toEqual({ username: '$User.username', timezone: '$Person.address.timezone' });
  });

  it('when the tool lives under a path, then every URL keeps it', () => {
    const c = canvasConfiguration('http://localhost:3000/att');
    expect(c.oidc_initiation_url).toBe('http://localhost:3000/att/login');
    expect(c.public_jwk_url).toBe('http://localhost:3000/att/keys');
    expect((c.extensions as Extension[])[0]?.domain).toBe('localhost:3000');
  });
});
