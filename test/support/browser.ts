/**
 * Real Chromium (Debian's package, `apt-get install chromium`) driven by playwright-core, with a
 * fresh profile per launch and nothing that phones home. Screenshots go to test-artifacts/console/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { defaultConsoleDir } from '../../src/server/console.js';

export const chromiumPath = process.env.FENER_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsDir = join('test-artifacts', 'console');

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: run "apt-get install -y chromium" (.ci/run does it)`);
  }
  // A persistent context is how playwright takes a --user-data-dir; a fresh directory keeps runs apart.
  const profile = mkdtempSync(join(tmpdir(), 'fener-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(artifactsDir, { recursive: true });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}

/**
 * Collects uncaught errors and errors the page logged, so a test can assert the console ran
 * cleanly. Chromium's own "Failed to load resource" lines for API answers that a test provokes on
 * purpose (403, 404) are not the page's errors and are left out.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  return errors;
}

/** Signs in on the console's page with a key, and waits for the signed-in layout. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A browser with one page signed in to the console, and the errors that page reports. */
export interface ConsoleSession {
  browser: Browser;
  page: Page;
  errors: string[];
}

/** Checks the console is built, then launches Chromium and signs in at `url` with `key`. */
export async function openConsole(url: string, key: string): Promise<ConsoleSession> {
  if (!existsSync(join(defaultConsoleDir, 'index.html'))) {
    throw new Error(`the console is not built in ${defaultConsoleDir}: run "npm run build" first`);
  }
  const browser = await launchBrowser();
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await signIn(page, url, key);
  return { browser, page, errors };
}
