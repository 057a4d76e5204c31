import { LINK_OFF_NOTE, LinkOptions, LinkOptionsError, parseLinkOptions } from './registration-link';
import { createRegistrationLinkService, RegistrationLinkInfo } from './registration-link.service';

/** The registration-link commands of `npm run platform` (platform.cli.ts owns the database). */

export const LINK_COMMANDS = ['registration-link', 'registration-links', 'revoke-registration-link'] as const;
export type LinkCommand = (typeof LINK_COMMANDS)[number];

export const LINK_USAGE = `  npm run platform -- registration-link [--expires 7d] [--uses 1]
      prints a registration link <PUBLIC_URL>/register?rt=… for LTI Dynamic Registration (Moodle,
      Brightspace): valid for --expires (30m, 12h, 7d…; default 7d, at most 90d) and for
      --uses registrations (default 1, at most 100)
  npm run platform -- registration-links                 every link, its state and uses left
  npm run platform -- revoke-registration-link ID        withdraws a link at once`;

export const isLinkCommand = (command: string | undefined): command is LinkCommand => LINK_COMMANDS.includes(command as LinkCommand);

/** The command's arguments, checked before any database is opened. */
export type LinkRequest = { command: 'registration-link'; options: LinkOptions } | { command: 'registration-links' } | { command: 'revoke-registration-link'; id: string };

export function readLinkRequest(command: LinkCommand, raw: { expires?: string; uses?: string; id?: string }): LinkRequest | { problems: string[] } {
  if (command === 'registration-links') return { command };
  if (command === 'revoke-registration-link') return raw.id ? { command, id: raw.id } : { problems: ['revoke-registration-link needs the link ID (see registration-links)'] };
  try {
    return { command, options: parseLinkOptions(raw) };
  } catch (err) {
    if (err instanceof LinkOptionsError) return { problems: err.problems };
    throw err;
  }
}

const DAY_MS = 24 * 3600_000;
function describeLifetime(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} day${ms === DAY_MS ? '' : 's'}`;
  if (ms % 3600_000 === 0) return `${ms / 3600_000} hour${ms === 3600_000 ? '' : 's'}`;
  return `${ms / 60_000} minutes`;
}

function formatLink(l: RegistrationLinkInfo): string {
  const state = l.state.replace('_', ' ');
  const used = l.lastUsedAt ? `, last used ${l.lastUsedAt.toISOString()}` : '';
  return `${l.id}  ${state.padEnd(8)}  ${l.usesLeft} of ${l.uses} uses left  expires ${l.expiresAt.toISOString()}  (created ${l.createdAt.toISOString()}${used})`;
}

export async function runLinkCommand(
  request: LinkRequest,
  deps: { publicUrl: string; dynamicRegistrationEnabled: boolean; now: () => Date },
  out: (line: string) => void,
): Promise<number> {
  const links = createRegistrationLinkService({ publicUrl: deps.publicUrl, now: deps.now });
  if (request.command === 'registration-links') {
    const all = await links.list();
    out(all.length ? all.map(formatLink).join('\n') : 'No registration links.');
    return 0;
  }
  if (request.command === 'revoke-registration-link') {
    const revoked = await links.revoke(request.id);
    out(revoked ? 'Revoked.' : 'No such registration link.');
    return revoked ? 0 : 1;
  }
  const { options } = request;
  const link = await links.create(options);
  const uses = `${options.uses} registration${options.uses === 1 ? '' : 's'}`;
  out(
    `Registration link (valid for ${describeLifetime(options.expiresInMs)}, for ${uses}; until ${link.expiresAt.toISOString()}):\n\n` +
      `  ${link.url}\n\n` +
      'Give it to the LMS administrator, who pastes it as the tool URL of a new LTI Advantage registration\n' +
      '(Moodle: Site administration → Plugins → Activity modules → External tool → Manage tools → Tool URL,\n' +
      '"Add LTI Advantage"). It is shown only this once: the tool stores only its hash.\n' +
      `To withdraw it: npm run platform -- revoke-registration-link ${link.id}`,
  );
  if (!deps.dynamicRegistrationEnabled) out(`Note: ${LINK_OFF_NOTE}`);
  return 0;
}
