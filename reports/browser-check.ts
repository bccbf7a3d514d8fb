/**
 * Open a report.html from disk in a real headless Chromium (Debian's `chromium` package, driven by playwright-core)
 * and check that every chart rendered: each figure.chart holds an <svg> with drawn marks, the page made no network
 * request, and nothing was written to the console as an error. Saves a full-page screenshot.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where Debian's chromium lives; override with CLUSTERBENCH_CHROMIUM. */
export function chromiumPath(): string {
  return process.env.CLUSTERBENCH_CHROMIUM ?? '/usr/bin/chromium';
}

/** Install hint shown when chromium is missing. */
export const chromiumMissingMessage = (path: string): string =>
  `chromium not found at ${path}: install it with \`apt-get update && apt-get install -y chromium\` (or set CLUSTERBENCH_CHROMIUM to its path)`;

/** What the browser saw. */
export interface BrowserCheckResult {
  /** Chart ids with the number of SVG shape elements drawn in each. */
  charts: { id: string; shapes: number; width: number; height: number }[];
  /** Ids of charts the report listed as skipped. */
  skipped: string[];
  consoleErrors: string[];
  /** Requests to anything other than file:// or data: (a self-contained page makes none). */
  networkRequests: string[];
  screenshot: string;
}

// The page functions below run in Chromium; the project's lib has no DOM, so these name the little they use.
interface PageElement {
  id: string;
  querySelector(selector: string): PageSvg | null;
}
interface PageSvg {
  getBoundingClientRect(): { width: number; height: number };
  querySelectorAll(selector: string): { length: number };
}

/** Open `htmlPath` in headless Chromium, inspect the charts, save a screenshot to `screenshotPath`. */
export async function checkReportInBrowser(htmlPath: string, screenshotPath: string): Promise<BrowserCheckResult> {
  const exe = chromiumPath();
  if (!existsSync(exe)) throw new Error(chromiumMissingMessage(exe));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const networkRequests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (req) => {
      const u = req.url();
      if (!u.startsWith('file:') && !u.startsWith('data:')) networkRequests.push(u);
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart', (figs: PageElement[]) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.id.replace(/^chart-/, ''),
          shapes: svg ? svg.querySelectorAll('path,rect,circle,line,text').length : 0,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    const skipped = await page.$$eval('p.skipped[id^="chart-"]', (ps: PageElement[]) =>
      ps.map((p) => p.id.replace(/^chart-/, '')),
    );
    await page.screenshot({ path: screenshotPath, fullPage: true });
    return { charts, skipped, consoleErrors, networkRequests, screenshot: screenshotPath };
  } finally {
    await browser.close();
  }
}
