/**
 * Shapes shared by the LMS simulator's files and by the tests' mock LMS (which wraps the simulator).
 */
import type http from 'node:http';

export interface MockUser {
  id: string; givenName: string; familyName: string; email?: string; username?: string; sourcedId?: string;
  roles: string[]; status?: 'Active' | 'Inactive';
}
export interface LaunchOptions {
  /** default: teacher 'teacher-1'; missing fields come from the context's member with that id, if any */
  user?: Partial<MockUser> & { id?: string };
  /** 'Instructor' | 'Learner' | 'Mentor' | full URI | '' (gives [""]) */
  role?: string;
  /** exact roles claim; null = claim omitted */
  roles?: string[] | null;
  context?: { id: string; label?: string; title?: string } | null;
  resourceLink?: { id: string; title?: string; description?: string } | null;
  locale?: string;
  deploymentId?: string;
  messageType?: string;
  custom?: Record<string, string>;
  /** merged over the payload (a value of undefined deletes the claim) */
  claims?: Record<string, unknown>;
  mutate?: (payload: Record<string, unknown>) => void;
  header?: { kid?: string | null; alg?: string };
  signWith?: 'platform' | 'otherKey';
  iatOffsetSeconds?: number;
  nonce?: string;
  /** (extra) target_link_uri for /login and the id_token; default `${toolUrl}/launch` */
  targetLinkUri?: string;
  /** (extra) overrides of the /login query (iss, client_id, login_hint, ...); null removes a parameter */
  login?: Record<string, string | null>;
}

/** Extra pages served before the platform's own endpoints; resolves true when it answered. */
export type ExtraRoutes = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface LmsSimulatorOptions {
  toolUrl: string; clientId?: string; deploymentId?: string; issuer?: string;
  /** (extra) listen port/host, default 0 / 127.0.0.1 */
  port?: number; host?: string;
  /**
   * (extra) the host name in the simulator's own URLs (default: `host`). The demo listens on
   * 127.0.0.1 but names itself `localhost`, the tool's host, so browsers see one site and the
   * tool's SameSite=Lax cookies survive the launch's cross-origin form POST.
   */
  publicHost?: string;
  /** (extra) reject scores (422, like Canvas) for users who are not Learner members of the context */
  strictScores?: boolean;
  /** (extra) demo pages (course page, gradebook) */
  extraRoutes?: ExtraRoutes;
  /**
   * (extra) whose LTI 1.3 implementation to imitate (default 'moodle'). 'openedx', as measured
   * with Open edX's lti-consumer-xblock 11.4.4 (docs/admin-guide.md, Open edX):
   * - launches and NRPS members carry only `name` (no given_name/family_name) and the username
   *   as the OIDC claim `preferred_username`, no `ext` claim;
   * - a deep linking request carries no custom, AGS, NRPS or `data` claims; a deep linking
   *   response replaces the block's earlier items (an empty one erases them) and its
   *   `lineItem` is ignored;
   * - a token the platform no longer knows (after rotateKeys()) is answered 403
   *   {"detail": "Invalid token signature."}, not 401.
   */
  profile?: LmsProfile;
}

export type LmsProfile = 'moodle' | 'openedx';
