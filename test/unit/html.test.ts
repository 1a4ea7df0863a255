import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../../src/model.js';
import { kernelResult, testResult } from '../support/results.js';
import { colouredScreen, htmlReport } from '../../src/report/html.js';
import { escapeHtml } from '../../src/report/text.js';
import { decideOutcome } from '../../src/verdict/outcome.js';

const test = testResult;
const kernel = (name: string, extra: Partial<KernelResult> = {}): KernelResult =>
  kernelResult(name, { serialBytes: 10, durationMs: 1500, ...extra });
const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "q" \'a\' \x1b[31m \x00 \ud800 \ufffd';

describe('the html report', () => {
  it('escapes markup and shows control characters and lone surrogates as text', () => {
    expect(escapeHtml('<b a="1">&\'</b>')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;&lt;/b&gt;');
    expect(escapeHtml('\x1b[31m\x00\r\ud800')).toBe('\\x1b[31m\\x00\\r\\u{d800}');
  });

  it('puts kernel output anywhere on the page only as text: no tag, no attribute from it, no script at all', () => {
    const hostile = kernel(HOSTILE, {
      id: HOSTILE,
      status: 'fail',
      reason: HOSTILE,
      tests: [test(1, HOSTILE, 'fail', { reason: HOSTILE, diagnostics: [HOSTILE], output: [HOSTILE], durationMs: 3, metrics: { used: 1, peak: 2 }, serialLines: { first: 1, last: 2 } })],
      lastSerialLines: [HOSTILE],
      screenText: HOSTILE,
    });
    const page = htmlReport(decideOutcome([hostile], {}), { version: '1.0.0', serialLog: () => ({ lines: [HOSTILE, HOSTILE], firstLine: 1, leftOutBytes: 0 }) });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img src=x/i);
    expect(page).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\ud800]/);
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain("default-src 'none'");
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing fetched
  });

  it('shows totals, failing kernels first, each with verdict, reason, duration, accelerator, and tests with status and time', () => {
    const good = kernel('good', { accelerator: 'tcg', tests: [test(1, 'fast', 'pass', { durationMs: 4 })] });
    const bad = kernel('bad', { status: 'crash', reason: 'the kernel triple-faulted', tests: [test(1, 'boom', 'notrun', { reason: 'planned' })] });
    const page = htmlReport(decideOutcome([good, bad], {}), { version: '1.0.0' });
    expect(page.indexOf('data-kernel="kernel/bad"')).toBeLessThan(page.indexOf('data-kernel="kernel/good"'));
    expect(page).toContain('<dt>passed</dt><dd>1</dd>');
    expect(page).toContain('<dt>not run</dt><dd>1</dd>');
    expect(page).toContain('reason:</strong> the kernel triple-faulted');
    expect(page).toContain('1.50 s · tcg');
    expect(page).toMatch(/class="test notrun" data-group="failed"/);
    expect(page).toContain('<span class="time">4 ms</span>');
  });

  it('draws a failing kernel\'s screen as an inline PNG and as text in its colours', () => {
    const screen = { rows: ['AB'.padEnd(80), ...Array(24).fill(' '.repeat(80))], attributes: Array.from({ length: 25 }, (_, row) => Array.from({ length: 80 }, (_, col) => (row === 0 && col === 0 ? 0x4f : 0x07))) };
    const bad = kernel('bad', { status: 'fail', reason: 'r', screen, screenText: 'AB' });
    const page = htmlReport(decideOutcome([bad], {}), { version: '1', screenshot: () => Buffer.from('PNG!') });
    expect(page).toContain(`src="data:image/png;base64,${Buffer.from('PNG!').toString('base64')}"`);
    expect(colouredScreen(screen)).toMatch(/^<pre[^>]*><span style="color:#fff;background:#a00">A<\/span><span style="color:#aaa;background:#000">B {78}<\/span>/);
  });

  it('charts heap figures and durations as inline SVG', () => {
    const good = kernel('good', { tests: [test(1, 'a', 'pass', { durationMs: 4, metrics: { used: 16, peak: 4096 } })] });
    const page = htmlReport(decideOutcome([good], {}), { version: '1' });
    expect(page).toContain('heap by test (bytes)');
    expect(page).toContain('<title>a: peak 4096</title>');
    expect(page).toContain('test durations (ms)');
  });
});
