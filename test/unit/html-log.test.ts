// The serial log in the html report: each test linked to its lines, the log marking them, a
// failing test's lines under it; and the log's end read from serial.log in whole lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelResult, SerialLines, TestResult } from '../../src/model.js';
import { htmlReport } from '../../src/report/html.js';
import { PageLog } from '../../src/report/html-log.js';
import { readTail, readTailLines, type LogTail } from '../../src/report/log-tail.js';
import { decideOutcome } from '../../src/verdict/outcome.js';
import { kernelResult, testResult } from '../support/results.js';

const span = (first: number, last: number): SerialLines => ({ first, last });
const tail = (lines: string[], firstLine = 1): LogTail => ({ lines, firstLine, leftOutBytes: firstLine > 1 ? 100 : 0 });
const label = (test: TestResult) => `${test.number} ${test.name}`;

/** The page of one kernel with these tests and this log. */
function page(tests: TestResult[], log: LogTail | undefined, extra: Partial<KernelResult> = {}): string {
  return htmlReport(decideOutcome([kernelResult('k', { tests, ...extra })], {}), { version: '1', serialLog: () => log });
}

/** Every tag of the log's <pre> in order, to check that its blocks nest. */
function tags(html: string): string[] {
  const log = /<pre class="log"[^>]*>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '';
  return [...log.matchAll(/<(\/?)span(?: class="(run[^"]*|l)")?/g)].map((match) => `${match[1]}${match[2] ?? ''}`);
}

describe('the serial log in the html report', () => {
  const LOG = ['KTAP version 1', '1..2', '  KTAP version 1', '  1..1', '  ok 1 inner', 'ok 1 suite', 'output of b', 'not ok 2 b', 'after'];
  const inner = testResult(1, 'inner', 'pass', { serialLines: span(3, 5) });
  const suite = testResult(1, 'suite', 'pass', { serialLines: span(1, 6), subtests: [inner] });
  const failing = testResult(2, 'b', 'fail', { serialLines: span(7, 8), output: ['output of b'] });

  it('links each test to its block of lines, which the folded log marks, nested as the tests are', () => {
    const html = page([suite, failing], tail(LOG));
    expect(html).toContain('<span class="name">suite</span> <span class="word">passed</span> <a class="lines" href="#k1-t1">lines 1–6</a>');
    expect(html).toContain('<span class="name">inner</span> <span class="word">passed</span> <a class="lines" href="#k1-t2">lines 3–5</a>');
    expect(html).toContain('<a class="lines" href="#k1-t3">lines 7–8</a>');
    expect(html).toContain('<span class="run pass" id="k1-t1" data-test="✓ 1 suite: passed"><span class="l">KTAP version 1</span>');
    expect(html).toContain('<span class="run pass" id="k1-t2" data-test="✓ 1 inner: passed"><span class="l">  KTAP version 1</span>');
    expect(html).toContain('<span class="run fail" id="k1-t3" data-test="✗ 2 b: failed"><span class="l">output of b</span>\n<span class="l">not ok 2 b</span>\n</span><span class="l">after</span>\n</pre>');
    expect(tags(html)).toEqual(['run pass', 'l', '/', 'l', '/', 'run pass', 'l', '/', 'l', '/', 'l', '/', '/', 'l', '/', '/', 'run fail', 'l', '/', 'l', '/', '/', 'l', '/']);
    expect(html).toContain('<details class="serial"><summary>serial log (0 bytes, lines 1–9)</summary><pre class="log" style="counter-reset:line 0">');
  });

  it('shows a failing test its own lines, numbered, without repeating its output and diagnostics', () => {
    const html = page([suite, failing], tail(LOG));
    expect(html).toContain('</summary><pre class="log own" style="counter-reset:line 6"><span class="l">output of b</span>\n<span class="l">not ok 2 b</span></pre></details>');
    expect(html).not.toContain('<pre class="output">');
    // Without the log, the output it has is shown, and where its lines are.
    const gone = page([suite, failing], undefined);
    expect(gone).toContain('<span class="lines">lines 7–8</span></summary><pre class="output">output of b</pre></details>');
    expect(gone).toContain('</ol>\n<p class="artifacts">');
  });

  it('leaves a failing parent\'s lines to its failing subtest, and names a single line so', () => {
    const sub = testResult(1, 'sub', 'fail', { serialLines: span(5, 5) });
    const parent = testResult(1, 'suite', 'fail', { serialLines: span(1, 6), subtests: [sub] });
    const html = page([parent], tail(LOG));
    expect(html.match(/<pre class="log own"/g)).toHaveLength(1);
    expect(html).toContain('<pre class="log own" style="counter-reset:line 4"><span class="l">  ok 1 inner</span></pre>');
    expect(html).toContain('<a class="lines" href="#k1-t2">line 5</a>');
    // A parent that failed with no failing subtest shows them all.
    const lying = testResult(1, 'suite', 'fail', { serialLines: span(1, 6), subtests: [inner] });
    expect(page([lying], tail(LOG))).toContain('<pre class="log own" style="counter-reset:line 0"><span class="l">KTAP version 1</span>');
    // Passing and skipped tests show no lines of their own, and keep their diagnostics.
    const quiet = page([testResult(1, 'p', 'pass', { serialLines: span(1, 2), diagnostics: ['note'] }), testResult(2, 's', 'skip', { serialLines: span(7, 8) })], tail(LOG));
    expect(quiet).not.toContain('class="log own"');
    expect(quiet).toContain('</summary><pre class="diagnostics"># note</pre></details>');
    expect(quiet).toContain('<li class="test skip" data-group="skipped"><div class="line">');
  });

  it('shows at most the last 40 of a failing test\'s lines, linking to the rest', () => {
    const many = Array.from({ length: 50 }, (_, index) => `line ${index + 1}`);
    const html = page([testResult(1, 'long', 'notrun', { serialLines: span(1, 50), output: ['kept'] })], tail(many));
    expect(html).toContain('<p class="more">lines 1–10 are in the <a href="#k1-t1">serial log</a></p><pre class="log own" style="counter-reset:line 10"><span class="l">line 11</span>');
    expect(html.match(/<span class="l">line \d+<\/span>/g)).toHaveLength(90);
    expect(html).toContain('<pre class="output">kept</pre>'); // not all its lines are shown under it
    const lines = (count: number) => Array.from({ length: count }, (_, index) => `line ${index + 1}`);
    expect(page([testResult(1, 't', 'fail', { serialLines: span(1, 40), output: ['x'] })], tail(lines(40)))).not.toContain('<pre class="output">');
    expect(page([testResult(1, 't', 'fail', { serialLines: span(1, 41), output: ['x'] })], tail(lines(41)))).toContain('<pre class="output">');
  });

  it('marks only what the page has of a flood\'s log: a block cut at its start, none for lines left out', () => {
    const before = testResult(1, 'before', 'pass', { serialLines: span(1, 98) });
    const across = testResult(2, 'across', 'fail', { serialLines: span(99, 101), output: ['a', 'b'] });
    const after = testResult(3, 'after', 'pass', { serialLines: span(102, 200) });
    const html = page([before, across, after], tail(['b', 'ok 2 across', 'c'], 100));
    expect(html).toContain('<span class="lines">lines 1–98</span>');
    expect(html).toContain('<a class="lines" href="#k1-t2">lines 99–101</a>');
    expect(html).toContain('<a class="lines" href="#k1-t3">lines 102–200</a>');
    expect(html).toContain('<span class="run fail" id="k1-t2" data-test="✗ 2 across: failed"><span class="l">b</span>\n<span class="l">ok 2 across</span>\n</span><span class="run pass" id="k1-t3"');
    expect(html).toContain('<summary>serial log (0 bytes, lines 100–102)</summary><p class="more">its first 100 bytes (lines 1–99) are left out</p><pre class="log" style="counter-reset:line 99">');
    // Cut, its lines under it are only those the page has: its output is shown too.
    expect(html).toContain('<pre class="log own" style="counter-reset:line 99"><span class="l">b</span>\n<span class="l">ok 2 across</span></pre><pre class="output">a\nb</pre>');
  });

  it('marks what the page has of a test whose lines run past the end of a cut log, and no test without lines', () => {
    const html = page([testResult(1, 'b', 'skip'), testResult(2, 'a', 'fail', { serialLines: span(2, 10), output: ['x'] })], tail(['1', '2', '3']));
    expect(html).toContain('<span class="l">1</span>\n<span class="run fail" id="k1-t2" data-test="✗ 2 a: failed"><span class="l">2</span>\n<span class="l">3</span>\n</span></pre>');
    expect(html).toContain('<pre class="output">x</pre>'); // only lines 2-3 of 2-10 are under it
    expect(html).not.toContain('id="k1-t1"');
    expect(html).toContain('<span class="name">b</span> <span class="word">skipped</span></div>');
  });

  it('marks blocks in any order of the tests, a subtest ending on its parent\'s last line inside it', () => {
    const log = new PageLog('k1', tail(['1', '2', '3', '4', '5']), [testResult(2, 'later', 'pass', { serialLines: span(4, 5) }), testResult(1, 'parent', 'fail', { serialLines: span(1, 3), subtests: [testResult(1, 'child', 'pass', { serialLines: span(2, 3) })] })], label);
    expect(tags(log.render(5))).toEqual(['run fail', 'l', '/', 'run pass', 'l', '/', 'l', '/', '/', '/', 'run pass', 'l', '/', 'l', '/', '/']);
    expect(log.render(5)).toContain('data-test="1 parent"><span class="l">1</span>\n<span class="run pass" id="k1-t3" data-test="1 child"><span class="l">2</span>\n<span class="l">3</span>\n</span></span><span class="run pass" id="k1-t1"');
  });

  it('never lets blocks from a report edited by hand break the page: one that straddles another is not marked', () => {
    const log = new PageLog('k1', tail(['1', '2', '3', '4']), [testResult(1, 'a', 'pass', { serialLines: span(1, 3) }), testResult(2, 'b', 'pass', { serialLines: span(2, 4) }), testResult(3, 'c', 'pass', { serialLines: span(4, 2) })], label);
    expect(log.link(testResult(9, 'unknown', 'pass'))).toBeUndefined();
    const html = log.render(4);
    expect(html).toContain('id="k1-t1"');
    expect(html).not.toContain('id="k1-t2"');
    expect(html).not.toContain('id="k1-t3"');
    expect(html.split('<span').length).toBe(html.split('</span>').length);
    // Nor one that starts on another's last line.
    const touching = new PageLog('k1', tail(['1', '2', '3', '4', '5']), [testResult(1, 'a', 'pass', { serialLines: span(1, 3) }), testResult(2, 'b', 'pass', { serialLines: span(3, 5) })], label);
    expect(touching.render(5)).not.toContain('id="k1-t2"');
  });

  it('keeps blocks that follow a closed one, and the last line of the log in the last block', () => {
    const a = testResult(1, 'a', 'pass', { serialLines: span(1, 1) });
    const b = testResult(2, 'b', 'pass', { serialLines: span(2, 3) });
    const log = new PageLog('k2', tail(['x', 'y', 'z']), [a, b], label);
    expect([log.link(a), log.link(b)]).toEqual(['#k2-t1', '#k2-t2']);
    expect(log.render(3)).toContain('<span class="run pass" id="k2-t2" data-test="2 b"><span class="l">y</span>\n<span class="l">z</span>\n</span></pre>');
  });

  it('escapes every line and label, and drops the CR of a CR LF line ending', () => {
    const name = '</span><script>x</script>';
    const html = page([testResult(1, name, 'fail', { serialLines: span(1, 1) })], tail(['<b>\x1b[1m\r', 'a\rb']));
    expect(html).toContain('data-test="✗ 1 &lt;/span&gt;&lt;script&gt;x&lt;/script&gt;: failed"');
    expect(html).toContain('<span class="l">&lt;b&gt;\\x1b[1m</span>');
    expect(html).toContain('<span class="l">a\\rb</span>');
    expect(html).not.toMatch(/<script|<b>/);
  });

  it('shows an empty log folded, with no lines', () => {
    expect(page([], tail([]))).toContain('<summary>serial log (0 bytes)</summary><pre class="log" style="counter-reset:line 0"></pre>');
  });
});

describe('the end of a serial log, in whole lines numbered as in the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'log-tail-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a small log whole, with or without a last line ending', () => {
    expect(readTailLines(file('a', 'one\ntwo\n'))).toEqual({ lines: ['one', 'two'], firstLine: 1, leftOutBytes: 0 });
    expect(readTailLines(file('b', 'one\ntwo'))).toEqual({ lines: ['one', 'two'], firstLine: 1, leftOutBytes: 0 });
    expect(readTailLines(file('c', ''))).toEqual({ lines: [], firstLine: 1, leftOutBytes: 0 });
    expect(readTailLines(file('d', '\n\n'))).toEqual({ lines: ['', ''], firstLine: 1, leftOutBytes: 0 });
  });

  it('keeps the whole lines of the last bytes of a long log, each numbered as in the file', () => {
    const path = file('long', 'l1\nl2\nl3\nl4\nl5\n'); // 15 bytes
    expect(readTailLines(path, 6)).toEqual({ lines: ['l4', 'l5'], firstLine: 4, leftOutBytes: 9 });
    // The kept part starts within a line: that line is left out.
    expect(readTailLines(path, 7)).toEqual({ lines: ['l4', 'l5'], firstLine: 4, leftOutBytes: 9 });
    expect(readTailLines(path, 5)).toEqual({ lines: ['l5'], firstLine: 5, leftOutBytes: 12 });
    expect(readTailLines(path, 14)).toEqual({ lines: ['l2', 'l3', 'l4', 'l5'], firstLine: 2, leftOutBytes: 3 });
    expect(readTailLines(path, 15)).toEqual({ lines: ['l1', 'l2', 'l3', 'l4', 'l5'], firstLine: 1, leftOutBytes: 0 });
  });

  it('shows the end of a line longer than what is kept, numbered as the line it is', () => {
    expect(readTailLines(file('wide', 'a\nb\n0123456789'), 4)).toEqual({ lines: ['6789'], firstLine: 3, leftOutBytes: 10 });
  });

  it('counts lines left out a chunk at a time, past the first chunk', () => {
    const lines = Array.from({ length: 300_000 }, (_, index) => `line ${index + 1}`);
    const tailOf = readTailLines(file('big', `${lines.join('\n')}\n`))!;
    expect(tailOf.leftOutBytes).toBeGreaterThan(1024 * 1024);
    expect(tailOf.lines[0]).toBe(`line ${tailOf.firstLine}`);
    expect(tailOf.lines.at(-1)).toBe('line 300000');
  });

  it('reads nothing when the log is gone', () => {
    expect(readTailLines(join(dir, 'missing'))).toBeUndefined();
    expect(readTail(join(dir, 'missing'))).toBeUndefined();
  });
});
