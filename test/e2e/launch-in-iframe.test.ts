import type { Browser } from 'playwright-core';
import { screenshot } from '../support/browser';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

let h: TestHarness;
let browser: Browser;

browserSuite((harness, b) => { h = harness; browser = b; });

describe('in a real browser', () => {
  it('when a teacher opens the activity on the LMS course page, then the teacher home loads inside the iframe', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(h.lms.embedUrl({ role: 'Instructor' }));
    const frame = page.frameLocator('#tool');
    await frame.getByRole('heading', { level: 1, name: 'Lectures' }).waitFor({ timeout: 15_000 });
    await expect(frame.getByRole('heading', { name: 'No class meetings yet' }).isVisible()).resolves.toBe(true);
    await expect(frame.getByText('Signed in as Terry Teacher · Teacher').isVisible()).resolves.toBe(true);
    await screenshot(page, 'teacher-home-in-lms-iframe');
    expect(errors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
    await page.close();
  });

  it('when a student opens the activity on a phone, then the student home fits the screen without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 });
    await page.goto(h.lms.browserLaunchUrl({ role: 'Learner', user: { id: 'student-phone', givenName: 'Līga', familyName: 'Bērziņa' }, locale: 'lv' }));
    await page.getByRole('heading', { name: 'Gaidāmu nodarbību nav' }).waitFor({ timeout: 15_000 });
    await expect(page.getByText('Pieteicies kā Līga Bērziņa · Students').isVisible()).resolves.toBe(true);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'student-home-phone-lv');
    await page.close();
  });

  it('when an admin clicks a copy button on the landing page, then the URL is on the clipboard and announced', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.tool.url });
    const page = await context.newPage();
    await page.goto(`${h.tool.url}/`);
    const button = page.locator('button[data-copy-target="jwks-url"]');
    await expect(button.isVisible()).resolves.toBe(true); // shown only with JavaScript
    await button.click();
    await page.locator('#copy-status', { hasText: `${h.tool.url}/keys` }).waitFor({ timeout: 5000 });
    await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(`${h.tool.url}/keys`);
    await screenshot(page, 'landing');
    await context.close();
  });
});
