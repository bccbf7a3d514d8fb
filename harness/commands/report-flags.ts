/** Flags and help of `clusterbench report`; the work is in report-command.ts, imported only when the command runs. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { displayPath } from '../../pipeline/support/display-path.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('rebuild report.md, report.html, charts/*.svg, csv/*.csv and bmf.json of a run from its results.json')
    .argument('<run-dir>', 'a run directory holding results.json')
    .option(
      '--check-browser',
      'open report.html in headless Chromium, check every chart rendered, save report-screenshot.png',
    )
    .action(async (runDir: string, o: { checkBrowser?: boolean }) => {
      const { reportCommand } = await import('./report-command.js');
      const files = await reportCommand(runDir);
      process.stdout.write(`${files.map((f) => displayPath(f)).join('\n')}\n`);
      if (o.checkBrowser) {
        const { checkReportInBrowser } = await import('../../reports/browser-check.js');
        const res = await checkReportInBrowser(
          join(resolve(runDir), 'report.html'),
          join(resolve(runDir), 'report-screenshot.png'),
        );
        for (const c of res.charts)
          process.stdout.write(
            `chart ${c.id}: ${c.shapes} SVG shapes, ${Math.round(c.width)}x${Math.round(c.height)} px\n`,
          );
        for (const id of res.skipped) process.stdout.write(`chart ${id}: skipped (no data in results.json)\n`);
        const bad = res.charts.filter((c) => c.shapes === 0 || c.width === 0);
        process.stdout.write(`screenshot: ${displayPath(res.screenshot)}\n`);
        if (res.consoleErrors.length || res.networkRequests.length || bad.length) {
          throw new Error(
            `browser check failed: ${[...res.consoleErrors.map((e) => `console error: ${e}`), ...res.networkRequests.map((u) => `network request: ${u}`), ...bad.map((c) => `chart ${c.id} drew nothing`)].join('; ')}`,
          );
        }
        process.stdout.write('browser check passed\n');
      }
    });
}
