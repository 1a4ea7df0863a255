// The html report in a real browser: Debian's Chromium, headless, driven by playwright-core,
// on the report of real runs of the bundled kernels and of misbehaving ones (merged).
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { FIXTURES, ROOT, alloc } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'reports', 'e2e', 'html-report.png');
const MISBEHAVING = ['markup_output', 'hang', 'panic'];

describe.skipIf(!existsSync(CHROMIUM))('the html report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let merged: JsonReport;
  const alerts: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
    const bundled = await alloc(['test', '--features', 'global_alloc', '--reporter', 'quiet', '--output-file', `json=${join(dir, 'bundled.json')}`]);
    expect(bundled.exitCode, bundled.all).toBe(0);
    const filters = MISBEHAVING.flatMap((name) => ['--filter-kernel', `misbehaving/${name}`]);
    const misbehaving = await alloc(['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), ...filters, '--jobs', '3', '--reporter', 'quiet', '--output-file', `json=${join(dir, 'misbehaving.json')}`]);
    expect(misbehaving.exitCode, misbehaving.all).toBe(1);
    const merge = await alloc(['merge', join(dir, 'bundled.json'), join(dir, 'misbehaving.json'), '--output-file', `html=${join(dir, 'report.html')}`, '--output-file', `json=${join(dir, 'merged.json')}`]);
    expect(merge.exitCode, merge.all).toBe(1);
    merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as JsonReport;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('dialog', (dialog) => {
      alerts.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    mkdirSync(join(ROOT, 'reports', 'e2e'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const shownKernels = () => page.locator('section.kernel:visible').evaluateAll((sections) => sections.map((section) => section.getAttribute('data-kernel')));

  it('shows the totals of the JSON report, every kernel, failures first', async () => {
    const shown = async (label: string) => Number(await page.locator(`[data-total="${label}"] dd`).textContent());
    const { passed, failed, skipped, notRun } = merged.totals;
    expect([await shown('passed'), await shown('failed'), await shown('skipped'), await shown('not run')]).toEqual([passed, failed, skipped, notRun]);
    expect(await shown('kernels')).toBe(merged.kernels.length);
    const order = await shownKernels();
    expect([...order].sort()).toEqual(merged.kernels.map((kernel) => kernel.id).sort());
    const failing = merged.kernels.filter((kernel) => kernel.status !== 'pass').map((kernel) => kernel.id);
    expect(order.slice(0, failing.length).sort()).toEqual(failing.sort());
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("shows a failing kernel's screen image", async () => {
    const image = page.locator('section[data-kernel="misbehaving/hang"] img.screenshot');
    await expect.poll(() => image.isVisible()).toBe(true);
    expect(await image.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth > 0])).toEqual([true, true]);
    expect(await page.locator('section[data-kernel="misbehaving/hang"] pre.vga').textContent()).toContain(merged.kernels.find((kernel) => kernel.id === 'misbehaving/hang')!.screenText!.split('\n')[0]);
  });

  it('shows kernel output containing <script> as text and runs none of it', async () => {
    const section = page.locator('section[data-kernel="misbehaving/markup_output"]');
    const text = (await section.textContent()) ?? '';
    expect(text).toContain("name_</script><script>document.title='pwned'</script>");
    expect(text).toContain(`<img src=x onerror="document.title='pwned'">`);
    expect(text).toContain('\\x1b[31mred');
    expect(await page.title()).not.toContain('pwned');
    expect(await page.evaluate(() => [document.scripts.length, document.querySelectorAll('img:not(.screenshot), b, i').length])).toEqual([0, 0]);
    expect(alerts).toEqual([]);
  });

  it('filters by status', async () => {
    const failingIds = merged.kernels.filter((kernel) => kernel.status !== 'pass' || kernel.tests.some((test) => test.status === 'fail' || test.status === 'notrun')).map((kernel) => kernel.id);
    await page.locator('label:has(#filter-failed)').click();
    expect((await shownKernels()).sort()).toEqual(failingIds.sort());
    const groups = await page.locator('li.test:visible').evaluateAll((items) => items.filter((item) => !item.querySelector('li.test')).map((item) => item.getAttribute('data-group')));
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups)).toEqual(new Set(['failed']));
    await page.locator('label:has(#filter-passed)').click();
    expect(await shownKernels()).toContain('kernel/heap_basics');
    expect(await shownKernels()).not.toContain('misbehaving/hang');
    await page.locator('label:has(#filter-all)').click();
    expect((await shownKernels()).length).toBe(merged.kernels.length);
  });

  /** Lines `first` to `last` of a kernel's serial.log. */
  const logLines = (kernelId: string, { first, last }: { first: number; last: number }) => {
    const kernel = merged.kernels.find((found) => found.id === kernelId)!;
    return readFileSync(kernel.artifacts.serialLog, 'utf8').split('\n').slice(first - 1, last);
  };

  it("links each test to its lines in the folded serial log: following the link opens the log at them, marked", async () => {
    const kernel = merged.kernels.find((found) => found.id === 'kernel/heap_basics')!;
    const test = kernel.tests[2]!;
    const { first, last } = test.serialLines!;
    const section = page.locator('section[data-kernel="kernel/heap_basics"]');
    const folded = section.locator('details.serial');
    expect(await folded.evaluate((details: HTMLDetailsElement) => details.open)).toBe(false);
    const item = section.locator('li.test').filter({ has: page.getByText(test.name, { exact: true }) });
    const link = item.locator('a.lines');
    expect(await link.textContent()).toBe(`lines ${first}–${last}`);
    await link.click();
    const target = page.locator(':target');
    await expect.poll(() => target.isVisible()).toBe(true);
    expect(await folded.evaluate((details: HTMLDetailsElement) => details.open)).toBe(true);
    expect(await target.evaluate((element) => element.closest('section')?.getAttribute('data-kernel'))).toBe('kernel/heap_basics');
    expect(await target.getAttribute('data-test')).toBe(`✓ ${test.number} ${test.name}: passed`);
    expect((await target.textContent())?.split('\n').slice(0, -1)).toEqual(logLines(kernel.id, test.serialLines!));
    const box = (await target.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(900);
    // Every test of the kernel is a marked block of the log.
    expect(await folded.locator('.run').count()).toBe(kernel.tests.length);
  });

  it("shows a failing test's own lines under it, its panic among them", async () => {
    const kernel = merged.kernels.find((found) => found.id === 'misbehaving/panic')!;
    const failing = kernel.tests.find((test) => test.status === 'fail')!;
    const own = page.locator('section[data-kernel="misbehaving/panic"] li.test.fail pre.log.own');
    await expect.poll(() => own.isVisible()).toBe(true);
    expect((await own.textContent())?.split('\n')).toEqual(logLines(kernel.id, failing.serialLines!));
    expect(await own.textContent()).toContain('assertion `left == right` failed: arithmetic is broken');
    // A test not run shows what the kernel printed as it stopped.
    expect(await page.locator('section[data-kernel="misbehaving/hang"] li.test.notrun pre.log.own').textContent()).toBe('KTAP version 1\n1..1');
  });

  it('draws the screen of a merged report in its colours, carried by the JSON report', async () => {
    expect(merged.kernels.find((kernel) => kernel.id === 'misbehaving/hang')!.screenColours).toHaveLength(25);
    const text = page.locator('section[data-kernel="misbehaving/hang"] pre.vga.coloured span', { hasText: 'Hanging forever' });
    expect(await text.evaluate((span) => [getComputedStyle(span).color, getComputedStyle(span).backgroundColor])).toEqual(['rgb(255, 255, 85)', 'rgb(0, 0, 0)']);
  });

  it('is readable at phone width: nothing wider than the window but code blocks, which scroll', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });
});

if (!existsSync(CHROMIUM)) console.warn(`html.test.ts: skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
