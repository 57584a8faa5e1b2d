import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { projectRoot } from '../../libs/core/src/index.js';
import { clientDir } from '../../libs/core/src/http/serve-client.js';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
export const clientBuilt = () => existsSync(join(clientDir(), 'index.html'));
export const SCREENSHOT_DIR = join(projectRoot(), 'test-results', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
}

/**
 * Everything the page said went wrong: console errors, uncaught exceptions and failed requests
 * (a 4xx/5xx is logged by Chromium as a console error too). A test asserts the list is empty.
 */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return problems;
}

/** The page's images as a screenshot needs them (the tsconfig has no DOM types). */
interface ImagesGlobals {
  document: { images: ArrayLike<{ complete: boolean }> };
}

/**
 * A screenshot (of the whole page unless asked for the viewport: a drawer or dialog shows best as seen)
 * once the page's pictures have loaded (or failed: a failure is reported on its own).
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page
    .waitForFunction(
      () => Array.from((globalThis as unknown as ImagesGlobals).document.images).every((image) => image.complete),
      undefined,
      {
        timeout: 5000,
      },
    )
    .catch(() => undefined);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? true });
}

export async function newContext(browser: Browser, baseURL: string, viewport = { width: 1280, height: 860 }): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport, reducedMotion: 'reduce' });
}

/** Signs an account in through the sign-in page and waits for the home page. */
export async function signIn(page: Page, account: { username: string; password: string }): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
}
