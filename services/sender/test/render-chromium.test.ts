import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_LOCALES } from '@rc/mail';
import { renderRequestEmail, type RequestEmailInput } from '../src/render/request-email';
import { REQUEST_EMAIL_STRINGS } from '../src/render/strings';

/**
 * Renders the request email in a real browser engine (Debian's headless Chromium) and checks
 * what a person sees, in every language we write: both buttons visible with their translated
 * labels, inside a 600 px mail pane and on a 360 px phone,
 * coloured against the page in light and dark mode, and not one network fetch. Screenshots go
 * to test-artifacts/ for a human to look at. Chromium is required: CI installs it
 * (scripts/bootstrap.sh with RC_BOOTSTRAP_CHROMIUM=1), so a missing one fails, never skips.
 */

/**
 * The page's globals that the checks below use inside page.evaluate(), typed just enough: the
 * project compiles without the DOM library, and these declarations stay inside this module.
 */
declare const document: {
  body: unknown;
  elementFromPoint(
    x: number,
    y: number,
  ): { closest(selector: string): { textContent: string | null } | null } | null;
};
declare function getComputedStyle(element: unknown): { backgroundColor: string; color: string };

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

/** Chromium flags for a sandbox-less CI container that must not talk to Google either. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

const input: RequestEmailInput = {
  title: 'Approve production deploy',
  description: 'Check the canary dashboards first.\nThen decide.',
  taskId: 'Applications/Release1/Phase2/Task3',
  release: { id: 'Release1', title: 'Shop 4.2' },
  assignee: { email: 'alice@corp.example', name: 'Alice Example' },
  mailboxAddress: 'answers@corp.example',
  tokens: {
    complete: 'rc-t1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b',
    fail: 'rc-t1-f7d3xq9m2pa4z-9gm4c1yws7ke2fjx',
  },
  expiresAt: '2026-11-29T14:00:00.000Z',
};

function findChromium(): string | undefined {
  const candidates = [
    process.env.RC_CHROMIUM_PATH,
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')]),
    '/usr/bin/chromium',
  ];
  return candidates.find((path): path is string => {
    if (!path) return false;
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

interface Rendering {
  page: Page;
  /** every URL the page tried to fetch */
  requests: string[];
}

type Rgb = [number, number, number];

function parseRgb(css: string): Rgb {
  const match = /rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)/.exec(css);
  if (!match) throw new Error(`not an rgb() colour: ${css}`);
  if (match[4] !== undefined && Number(match[4]) === 0) throw new Error(`transparent: ${css}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance([r, g, b]: Rgb): number {
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a: Rgb, b: Rgb): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

describe('request email rendered in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    const executablePath = findChromium();
    if (!executablePath) {
      throw new Error(
        'Chromium not found (looked at $RC_CHROMIUM_PATH, chromium and chromium-browser on PATH, ' +
          "/usr/bin/chromium). Install Debian's package: apt-get install -y chromium, or run " +
          'RC_BOOTSTRAP_CHROMIUM=1 bash scripts/bootstrap.sh as CI does.',
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function render(
    html: string,
    options: { width: number; dark: boolean },
  ): Promise<Rendering> {
    const context = await browser.newContext({
      viewport: { width: options.width, height: 900 },
      colorScheme: options.dark ? 'dark' : 'light',
      javaScriptEnabled: false,
    });
    const requests: string[] = [];
    // Record and refuse every fetch: a mail must render from its own bytes (no tracking
    // pixels, no web fonts, no remote CSS), or clients that block remote content break it.
    await context.route('**/*', async (route) => {
      requests.push(route.request().url());
      await route.abort();
    });
    const page = await context.newPage();
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('data:') && url !== 'about:blank' && !requests.includes(url)) {
        requests.push(url);
      }
    });
    await page.emulateMedia({ colorScheme: options.dark ? 'dark' : 'light' });
    await page.setContent(html, { waitUntil: 'load' });
    return { page, requests };
  }

  async function checkButtons(
    page: Page,
    width: number,
    labels: readonly [complete: string, fail: string],
  ): Promise<void> {
    const pageBackground = parseRgb(
      await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
    );
    const cardBackground = parseRgb(
      await page
        .locator('table.rc-card')
        .evaluate((element) => getComputedStyle(element).backgroundColor),
    );
    const backgrounds: Rgb[] = [];
    for (const name of labels) {
      const link = page.getByRole('link', { name, exact: true });
      await expect(link.count()).resolves.toBe(1);
      expect(await link.isVisible(), `${name} visible`).toBe(true);
      const box = await link.boundingBox();
      expect(box, `${name} has a box`).not.toBeNull();
      if (!box) return;
      expect(box.width, `${name} width`).toBeGreaterThanOrEqual(100);
      expect(box.height, `${name} height`).toBeGreaterThanOrEqual(36);
      // One line: a label that wraps inside its button reads as two buttons on a phone.
      expect(box.height, `${name} on one line`).toBeLessThanOrEqual(50);
      expect(box.x, `${name} left edge`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${name} right edge`).toBeLessThanOrEqual(width);
      // Nothing covers the button: a click in its middle lands on the link.
      const hit = await page.evaluate(
        ([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent ?? null,
        [box.x + box.width / 2, box.y + box.height / 2] as const,
      );
      expect(hit, `${name} is what a click in its middle hits`).toBe(name);
      const style = await link.evaluate((element) => {
        const computed = getComputedStyle(element);
        return { background: computed.backgroundColor, color: computed.color };
      });
      const background = parseRgb(style.background);
      backgrounds.push(background);
      expect(background, `${name} stands out from the page`).not.toEqual(pageBackground);
      expect(background, `${name} stands out from the card`).not.toEqual(cardBackground);
      expect(contrast(background, parseRgb(style.color)), `${name} text contrast`).toBeGreaterThan(
        4.5,
      );
    }
    expect(backgrounds[0], 'the two buttons look different').not.toEqual(backgrounds[1]);
  }

  it.each([
    ...TEMPLATE_LOCALES.map((locale) => ({ locale, dark: false })),
    { locale: 'en', dark: true },
    { locale: 'de', dark: true },
    { locale: 'ja', dark: true },
  ] as const)(
    'shows both buttons, the task and what each button does ($locale, dark: $dark)',
    async ({ locale, dark }) => {
      const strings = REQUEST_EMAIL_STRINGS[locale];
      const labels = [strings.completeButton, strings.failButton] as const;
      const { html } = renderRequestEmail({ ...input, locale });
      const { page, requests } = await render(html, { width: 600, dark });
      try {
        await checkButtons(page, 600, labels);
        for (const text of [
          strings.intro,
          strings.completeExplained,
          strings.failExplained,
          input.title,
          'Shop 4.2 (Release1)',
        ]) {
          const shown = page.getByText(text, { exact: false }).filter({ visible: true });
          expect(await shown.count(), text).toBeGreaterThan(0);
        }
        const pageBackground = parseRgb(
          await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
        );
        // The dark-mode styles apply where a client honours prefers-color-scheme.
        if (dark) expect(luminance(pageBackground)).toBeLessThan(0.05);
        else expect(luminance(pageBackground)).toBeGreaterThan(0.8);
        const name = `request-email-${locale}${dark ? '-dark' : ''}`;
        await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
        if (!dark) {
          // A phone: each button stands above its explanation, whole and on one line.
          await page.setViewportSize({ width: 360, height: 900 });
          await checkButtons(page, 360, labels);
          const button = await page
            .getByRole('link', { name: labels[0], exact: true })
            .boundingBox();
          const explanation = await page
            .getByText(strings.completeExplained, { exact: true })
            .boundingBox();
          expect(button && explanation && explanation.y >= button.y + button.height).toBe(true);
          await page.screenshot({ path: join(ARTIFACTS, `${name}-narrow.png`), fullPage: true });
        }
        expect(requests).toEqual([]);
      } finally {
        await page.context().close();
      }
    },
    60_000,
  );
});
