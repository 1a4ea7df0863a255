// The picture of the html report in the README (docs/html-report.png), from a real run:
// the bundled kernels (--features global_alloc) and three misbehaving ones, merged into one
// report, opened in Debian's Chromium (apt-get install -y chromium). Rerun: npm run screenshot:report
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'docs', 'html-report.png');
if (!existsSync(CHROMIUM)) {
  console.error(`error: ${CHROMIUM} is missing; install it with apt-get install -y chromium`);
  process.exit(3);
}
const dir = mkdtempSync(join(tmpdir(), 'screenshot-report-'));
const cli = (args) => execa('node', [join(ROOT, 'bin', 'alloc-runner.js'), ...args], { cwd: ROOT, reject: false, stdio: 'inherit', env: { NO_COLOR: '1' } });
await cli(['test', '--features', 'global_alloc', '--reporter', 'quiet', '--output-file', `json=${join(dir, 'bundled.json')}`]);
const misbehaving = ['panic', 'hang', 'markup_output'].flatMap((name) => ['--filter-kernel', `misbehaving/${name}`]);
await cli(['test', '--manifest-path', join(ROOT, 'fixtures', 'misbehaving', 'Cargo.toml'), ...misbehaving, '--reporter', 'quiet', '--output-file', `json=${join(dir, 'misbehaving.json')}`]);
const report = join(dir, 'report.html');
await cli(['merge', join(dir, 'bundled.json'), join(dir, 'misbehaving.json'), '--reporter', 'quiet', '--output-file', `html=${report}`]);

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1300 }, colorScheme: 'light' });
  await page.goto(pathToFileURL(report).href);
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT} from ${report}`);
} finally {
  await browser.close();
}
