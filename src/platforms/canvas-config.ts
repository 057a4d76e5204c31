import { TOOL_CUSTOM_PARAMETERS, TOOL_DESCRIPTION, TOOL_SCOPES, TOOL_TITLE, toolUrls } from './dynamic-registration';

/** Where Canvas's "Enter URL" method of an LTI developer key reads our configuration. */
export const CANVAS_CONFIG_PATH = '/lti/canvas.json';

/** Canvas's own id for its LTI 1.3 extension block. */
const CANVAS_PLATFORM = 'canvas.instructure.com';

/**
 * The Canvas developer-key JSON (LTI 1.3). Everything derives from PUBLIC_URL, so the same URL
 * keeps working after a move as long as PUBLIC_URL is updated. Course navigation opens the
 * attendance register of the course; link and assignment selection go through deep linking,
 * where the teacher names the activity and picks its grade type.
 */
export function canvasConfiguration(publicUrl: string): Record<string, unknown> {
  const urls = toolUrls(publicUrl);
  const placement = (name: string, messageType: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest', extra: Record<string, unknown> = {}) => ({
    placement: name,
    message_type: messageType,
    target_link_uri: urls.launch,
    text: 'Attendance',
    icon_url: urls.logo,
    ...extra,
  });
  return {
    title: TOOL_TITLE,
    description: TOOL_DESCRIPTION,
    oidc_initiation_url: urls.login,
    target_link_uri: urls.launch,
    public_jwk_url: urls.keys,
    scopes: [...TOOL_SCOPES],
    extensions: [
      {
        platform: CANVAS_PLATFORM,
        domain: new URL(publicUrl).host,
        tool_id: 'lti-attendance',
        privacy_level: 'public',
        settings: {
          text: 'Attendance',
          icon_url: urls.logo,
          placements: [
            // Teachers see every student's register; students see their own page.
            placement('course_navigation', 'LtiResourceLinkRequest', { default: 'enabled', visibility: 'members' }),
            placement('link_selection', 'LtiDeepLinkingRequest'),
            placement('assignment_selection', 'LtiDeepLinkingRequest'),
          ],
        },
      },
    ],
    custom_fields: { ...TOOL_CUSTOM_PARAMETERS },
  };
}
