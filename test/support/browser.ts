import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no browser download: the machines are offline). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'e2e');

// Every file that drives the browser gets a generous hang guard (not a speed check): a browser
// test takes 10–35 s here and ran past the default 30 s once on a loaded 2-core machine.
jest.setTimeout(180_000);

// Without the background-networking flags Chromium keeps calling Google hosts, which the
// offline machines refuse. --disable-dev-shm-usage: containers often mount a tiny /dev/shm,
// where Chromium's renderers crash; /tmp is used instead.
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. .ci/run installs it.`);
  }
}

/** New contexts of this browser are incognito-like: third-party cookies are blocked, as in Safari. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...ARGS, ...extraArgs] });
}

/** A normal profile whose settings allow third-party cookies (what many LMS users still have). */
export async function launchContextAllowingThirdPartyCookies(): Promise<BrowserContext> {
  assertChromium();
  const dir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  mkdirSync(join(dir, 'Default'), { recursive: true });
  writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/** Screenshots are CI artifacts (git-ignored folder). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
