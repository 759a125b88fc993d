import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REJECTION_REASONS } from '@rc/contracts';
import { ADMIN_PASSWORD, startAdminWorld, type AdminWorld } from './admin-world';

/**
 * The admin pages in a real browser (Debian's headless Chromium, as the email rendering test
 * uses it): a support person logs in, finds a request and its audit trail, filters the inbound
 * log for why an email was ignored, and opens the queue board. Screenshots go to
 * test-artifacts/. Chromium is required (CI installs it), so a missing one fails, never skips.
 */

/** The page's globals used inside evaluate(); the project compiles without the DOM library. */
declare function getComputedStyle(element: unknown): {
  borderBottomStyle: string;
  fontWeight: string;
};

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

function chromiumPath(): string {
  const path = process.env.RC_CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    throw new Error(
      `no Chromium at ${path}: apt-get install -y chromium (or RC_BOOTSTRAP_CHROMIUM=1 bash ` +
        'scripts/bootstrap.sh), or point RC_CHROMIUM_PATH at one',
    );
  }
}

let world: AdminWorld;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [world, browser] = await Promise.all([
    startAdminWorld(),
    chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

interface Session {
  context: BrowserContext;
  page: Page;
  /** URLs the browser asked for that are not the product's */
  foreign: string[];
  /** console messages about refused content (CSP) and script errors */
  complaints: string[];
}

async function open(password = ADMIN_PASSWORD): Promise<Session> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    httpCredentials: { username: 'admin', password },
  });
  const foreign: string[] = [];
  const complaints: string[] = [];
  // Nothing leaves the machine: anything not ours is recorded and refused.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(world.baseUrl)) await route.continue();
    else {
      foreign.push(url);
      await route.abort();
    }
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') complaints.push(message.text());
  });
  page.on('pageerror', (error) => complaints.push(error.message));
  return { context, page, foreign, complaints };
}

describe('admin pages in headless Chromium', () => {
  it('shows nothing to a wrong password', async () => {
    const { context, page } = await open('wrong-password-0123');
    try {
      const response = await page.goto(`${world.baseUrl}/admin/`);
      expect(response?.status()).toBe(401);
      expect(await page.content()).not.toContain(world.requestId);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('logs in, finds a request and reads its state and audit events', async () => {
    const { context, page, foreign, complaints } = await open();
    try {
      await page.goto(`${world.baseUrl}/admin/`);
      const row = page.locator('table.requests tr', { hasText: 'Approve production deploy' });
      await expect(row.getByText('completed', { exact: true }).isVisible()).resolves.toBe(true);
      // The stylesheet applied: the inline style's hash is what the CSP allows.
      const border = await page
        .locator('header')
        .evaluate((element) => getComputedStyle(element).borderBottomStyle);
      expect(border).toBe('solid');
      await page.screenshot({ path: join(ARTIFACTS, 'admin-overview.png'), fullPage: true });

      await row.getByRole('link', { name: world.requestId }).click();
      await page.waitForURL(`**/admin/requests/${world.requestId}`);
      await expect(
        page.getByRole('heading', { name: 'Approve production deploy' }).isVisible(),
      ).resolves.toBe(true);
      const events = page.locator('table.events tbody tr');
      const types = await events.locator('td:nth-child(2)').allInnerTexts();
      expect(types).toEqual(
        expect.arrayContaining([
          'requested',
          'answer_rejected',
          'answer_accepted',
          'engine_notified',
        ]),
      );
      const accepted = events.filter({ hasText: 'answer_accepted' });
      await expect(accepted.getByText('complete: looks good').isVisible()).resolves.toBe(true);
      await expect(page.locator('dd', { hasText: /engine told at/ }).isVisible()).resolves.toBe(
        true,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'admin-request.png'), fullPage: true });

      // The lookup box reaches any request by id, however old.
      await page.getByLabel('Request id').fill(world.hostileRequestId);
      await page.getByRole('button', { name: 'Show request' }).click();
      await page.waitForURL(`**/admin/requests/${world.hostileRequestId}`);
      expect(await page.title()).not.toBe('owned');
      await expect(
        page.getByRole('heading', { name: /<script>document\.title/ }).isVisible(),
      ).resolves.toBe(true);

      expect(foreign).toEqual([]);
      expect(complaints).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('filters the inbound log to say why an email was ignored', async () => {
    const { context, page, foreign, complaints } = await open();
    try {
      await page.goto(`${world.baseUrl}/admin/`);
      const rows = page.locator('table.inbound tbody tr');
      expect(await rows.count()).toBe(world.inbound.length);
      const form = page.getByRole('search', { name: 'Filter inbound mail' });
      await form.getByLabel('Outcome').selectOption('rejected');
      await form.getByLabel('From').fill('mallory@corp.example');
      await form.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/outcome=rejected/);
      expect(await rows.count()).toBe(1);
      const row = rows.first();
      await expect(row.getByText('sender_mismatch', { exact: true }).isVisible()).resolves.toBe(
        true,
      );
      await expect(
        row.getByText(REJECTION_REASONS.sender_mismatch, { exact: true }).isVisible(),
      ).resolves.toBe(true);
      await expect(row.getByText(/token hidden/).isVisible()).resolves.toBe(true);
      await page.screenshot({
        path: join(ARTIFACTS, 'admin-inbound-filtered.png'),
        fullPage: true,
      });

      await page.goto(`${world.baseUrl}/admin/`);
      await form.getByLabel('Reason').selectOption('auto_reply');
      await form.getByRole('button', { name: 'Filter' }).click();
      await page.waitForURL(/reason=auto_reply/);
      expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('Out of office')]);

      const text = await page.content();
      for (const secret of world.secrets) expect(text).not.toContain(secret);
      expect(foreign).toEqual([]);
      expect(complaints).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('opens Bull Board with every queue, loading nothing from outside', async () => {
    const { context, page, foreign } = await open();
    try {
      await page.goto(`${world.baseUrl}/admin/queues`);
      for (const name of ['send', 'inbound', 'update', 'results', 'dead-letter']) {
        await page.getByText(name, { exact: true }).first().waitFor({ timeout: 15_000 });
      }
      await page.screenshot({ path: join(ARTIFACTS, 'admin-queues.png'), fullPage: true });
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
