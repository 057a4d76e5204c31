import { formatSession } from '../courses/home.presenter';
import { teacherLink, teacherPath } from '../courses/teacher-nav';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import type { AudienceCount, ProjectorFacts } from './projector.service';
import { projectorCodes, ProjectorCodes } from './qr-codes';
import { checkInWindow } from './window';

/**
 * The projector at one instant (pure, given `nowMs`), and the page and JSON shaped from it.
 * 'not_set': self-marking never saved or switched off; the other states follow the window.
 */
export type ProjectorState = 'not_set' | 'not_open' | 'open' | 'closed';

export interface ProjectorSnapshot {
  state: ProjectorState;
  /** Only while open. */
  codes?: ProjectorCodes;
  opensAt?: Date;
  /** Not open yet: seconds until it opens (fractional). */
  opensInSeconds?: number;
  counts: AudienceCount;
}

/** Codes longer than this get a smaller size so they still fit the screen. */
const LONG_CODE = 10;

/** Page without JavaScript: how often it reloads when nothing rotates. */
export const IDLE_REFRESH_SECONDS = 10;

export function projectorSnapshot(facts: Pick<ProjectorFacts, 'session' | 'settings' | 'keys' | 'counts'>, publicUrl: string, nowMs: number): ProjectorSnapshot {
  const { settings, keys, counts } = facts;
  if (!settings?.enabled || !keys) return { state: 'not_set', counts };
  const window = checkInWindow(facts.session, settings.opensMinutesBefore, nowMs);
  if (window.state === 'not_open') return { state: 'not_open', opensAt: window.opensAt, opensInSeconds: (window.opensAt.getTime() - nowMs) / 1000, counts };
  if (window.state === 'closed') return { state: 'closed', counts };
  return { state: 'open', codes: projectorCodes(settings, keys, publicUrl, nowMs), counts };
}

/**
 * "ACD479" → "ACD 479": groups of at most four, as even as possible, longer ones first, so a
 * code read aloud or copied from the back row keeps its place.
 */
export function groupCode(code: string): string {
  const chars = Array.from(code);
  if (chars.length <= 4) return code;
  const groups = Math.ceil(chars.length / 4);
  const base = Math.floor(chars.length / groups);
  const extra = chars.length % groups;
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < groups; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push(chars.slice(at, at + size).join(''));
    at += size;
  }
  return out.join(' ');
}

/**
 * Meta refresh for pages without JavaScript: at the next rotation; at the opening (at most the
 * idle interval away); every idle interval while open without rotation; never once closed.
 */
export function refreshSeconds(snap: ProjectorSnapshot): number | undefined {
  if (snap.state === 'open' && snap.codes?.secondsLeft !== undefined) return Math.max(1, Math.ceil(snap.codes.secondsLeft));
  if (snap.state === 'not_open') return Math.min(IDLE_REFRESH_SECONDS, Math.max(1, Math.ceil(snap.opensInSeconds ?? 0)));
  if (snap.state === 'open') return IDLE_REFRESH_SECONDS;
  return undefined;
}

function formatTime(at: Date, timeZone: string, locale: Locale): string {
  return new Intl.DateTimeFormat(formatLocale(locale), { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

export interface ProjectorDisplay {
  t: Translate;
  locale: Locale;
  timezone: string;
}

export interface ProjectorJson {
  state: ProjectorState;
  qrDataUri?: string;
  qrUrl?: string;
  typed?: string;
  /** `typed` grouped for reading (groupCode). */
  typedDisplay?: string;
  secondsLeft?: number;
  slot?: number;
  checkedIn: number;
  expected: number;
  counterText: string;
  opensAt?: string;
  opensInSeconds?: number;
}

/** "12 of 30 checked in", and once the teacher marked others too, "· 30 marked in all". */
export function counterText(counts: AudienceCount, t: Translate): string {
  const text = t('projector.counter', { count: counts.checkedIn, expected: counts.expected });
  return counts.marked > counts.checkedIn ? `${text} · ${t('projector.marked_in_all', { count: counts.marked })}` : text;
}

/** Longest session description the projector shows; a longer one is cut (with "…") so the QR keeps its room. */
export const PROJECTOR_TITLE_MAX = 80;

export function projectorTitle(description: string): string {
  const chars = Array.from(description.trim());
  return chars.length <= PROJECTOR_TITLE_MAX ? chars.join('') : `${chars.slice(0, PROJECTOR_TITLE_MAX - 1).join('').trimEnd()}…`;
}

export function toProjectorJson(snap: ProjectorSnapshot, qrDataUri: string | undefined, t: Translate): ProjectorJson {
  const c = snap.codes;
  return {
    state: snap.state,
    ...(c ? { qrUrl: c.qrUrl, qrDataUri, typed: c.typed, typedDisplay: groupCode(c.typed), secondsLeft: c.secondsLeft, slot: c.slot } : {}),
    checkedIn: snap.counts.checkedIn,
    expected: snap.counts.expected,
    counterText: counterText(snap.counts, t),
    ...(snap.opensAt ? { opensAt: snap.opensAt.toISOString(), opensInSeconds: snap.opensInSeconds } : {}),
  };
}

export interface ProjectorLinks {
  /** Path of the JSON state under the projector link: the page carries no ltik and links nowhere else. */
  statePath: string;
}

/**
 * The teacher's projector links (settings page, sessions list): "Projector" mints a projector
 * link and redirects to it (projector.routes.ts); the revoke form's action deletes them all.
 */
export function teacherProjectorLinks(launch: LaunchContext, sessionId: string): { href: string; revokeAction: string } {
  const rest = `/${encodeURIComponent(sessionId)}/projector`;
  return { href: teacherLink(launch, 'sessions', rest), revokeAction: teacherPath(launch, 'sessions', `${rest}/revoke`) };
}

export function toProjectorView(facts: ProjectorFacts, snap: ProjectorSnapshot, qrDataUri: string | undefined, d: ProjectorDisplay, links: ProjectorLinks) {
  const c = snap.codes;
  const seconds = c?.secondsLeft === undefined ? undefined : Math.ceil(c.secondsLeft);
  return {
    state: snap.state,
    when: formatSession(facts.session, d.timezone, d.locale),
    title: projectorTitle(facts.session.description ?? ''),
    qrDataUri,
    typedDisplay: c ? groupCode(c.typed) : undefined,
    typedLong: (c?.typed.length ?? 0) > LONG_CODE,
    typedLabelKey: c?.qrUrl ? 'projector.type_code' : 'projector.type_password',
    rotating: c?.rotating ?? false,
    slot: c?.slot,
    countdownText: seconds === undefined ? '' : d.t('projector.next_code', { seconds }),
    countdownTemplate: d.t('projector.next_code', { seconds: '{{seconds}}' }),
    counterText: counterText(snap.counts, d.t),
    opensAtText: snap.opensAt ? d.t('projector.opens_at', { time: formatTime(snap.opensAt, d.timezone, d.locale) }) : '',
    refreshSeconds: refreshSeconds(snap),
    ...links,
  };
}

export type ProjectorView = ReturnType<typeof toProjectorView>;
