import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { startHarness, TestHarness } from './tool';

/**
 * The set-up most browser test files share: the tool with its mock LMS and one Chromium, started
 * before the file's tests and closed after. `onStart` hands them to the file's own variables and
 * may prepare more (the LMS's roster, a context).
 */
export function browserSuite(
  onStart: (h: TestHarness, browser: Browser) => void | Promise<void>,
  harness: Parameters<typeof startHarness>[0] = {},
): void {
  let h: TestHarness | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    h = await startHarness(harness);
    browser = await launchBrowser();
    await onStart(h, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });
}
