import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, launchContextAllowingThirdPartyCookies, screenshot } from '../support/browser';
import { startHarness, TestHarness } from '../support/tool';

// The LMS (localhost) and the tool (127.0.0.1) are different sites here, as in production, and
// the tool uses the production cookie flags (Secure; SameSite=None). Chromium accepts Secure
// cookies from http://127.0.0.1 because loopback counts as a secure context.
let h: TestHarness;
let allowing: BrowserContext;
let blockingBrowser: Browser;

beforeAll(async () => {
  h = await startHarness({ env: { COOKIE_SECURE: 'true', COOKIE_SAMESITE: 'None' }, lms: { host: 'localhost' } });
  allowing = await launchContextAllowingThirdPartyCookies();
  blockingBrowser = await launchBrowser(['--test-third-party-cookie-phaseout']); // third-party cookies blocked
});
afterAll(async () => {
  await allowing?.close();
  await blockingBrowser?.close();
  await h?.close();
});

describe('a launch inside an iframe of another site', () => {
  it('when the browser allows third-party cookies, then the launch completes inside the iframe', async () => {
    const page = await allowing.newPage();
    await page.goto(h.lms.embedUrl({ role: 'Instructor' }));
    await page.frameLocator('#tool').getByRole('heading', { name: 'No class meetings yet' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('when the browser blocks third-party cookies, then the iframe explains it and "Open in a new window" completes the launch', async () => {
    const context = await blockingBrowser.newContext();
    const page = await context.newPage();
    await page.goto(h.lms.embedUrl({ role: 'Learner', user: { id: 'student-safari', givenName: 'Sam', familyName: 'Safari' } }));
    const frame = page.frameLocator('#tool');
    await frame.getByRole('heading', { name: "Your browser blocked the tool's cookie" }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'cookies-blocked-in-iframe');

    const popupOpened = context.waitForEvent('page');
    await frame.getByRole('link', { name: 'Open in a new window' }).click();
    const popup = await popupOpened;
    await popup.getByRole('heading', { name: 'No upcoming sessions' }).waitFor({ timeout: 15_000 });
    expect(popup.url()).toMatch(new RegExp(`^${h.tool.url}/activity/[^/]+/student\\?ltik=`));
    await expect(popup.getByText('Signed in as Sam Safari · Student').isVisible()).resolves.toBe(true);
    await screenshot(popup, 'cookies-blocked-new-window');
    await context.close();
  });
});
