// The html report's page, part by part as a reader sees it: the verdict and totals in the
// header, the filters the CSS reads, each kernel's section (its tests, the evidence of a
// failure), the screen in its colours and the charts drawn to scale.
import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../../src/model.js';
import { colouredScreen, htmlReport } from '../../src/report/html.js';
import { decideOutcome } from '../../src/verdict/outcome.js';
import { kernelResult, testResult as test } from '../support/results.js';

const panic = { file: 'src/lib.rs', line: 7, column: 3, message: 'boom' };
const page = (kernels: KernelResult[], options: Parameters<typeof htmlReport>[1] = { version: '9' }) => htmlReport(decideOutcome(kernels, {}), options);
/** The lines of one kernel's <section>. */
function section(html: string, id: string): string[] {
  const start = html.indexOf(`<section class="kernel `, html.indexOf(`data-kernel="${id}"`) - 40);
  return html.slice(start, html.indexOf('</section>', start) + '</section>'.length).split('\n');
}
/** Each total's label, tone and figure. */
function totals(html: string): string[] {
  return [...html.matchAll(/<div class="total ([^"]*)" data-total="([^"]*)"><dt>([^<]*)<\/dt><dd>(\d+)<\/dd><\/div>/g)].map(([, tone, key, label, value]) => `${key}=${label}:${value}${tone ? ` ${tone}` : ''}`);
}

const failing = () =>
  kernelResult('bad', {
    status: 'fail',
    reason: 'a test failed',
    panic,
    durationMs: 2500,
    tests: [
      test(1, 'parent', 'fail', { reason: 'reported ok, but subtests failed: 1 child', diagnostics: ['heap: used=1'], output: ['printed <b>', 'more'], subtests: [test(1, 'child', 'fail', { panic, reason: 'panicked' })] }),
      test(2, 'plain', 'pass', { reason: 'not shown for a pass', durationMs: 12 }),
      test(3, 'later', 'skip', { reason: 'filtered' }),
    ],
    lastSerialLines: ['a <line>', 'b'],
    noScreenReason: 'no VGA <device>',
  });
const passing = () =>
  kernelResult('good', {
    decidedBy: 'the screen showed "ok"',
    reason: 'not shown for a pass',
    accelerator: 'kvm',
    cached: true,
    tests: [test(1, 'x', 'xfail', { reason: 'known' })],
  });

describe('the html page', () => {
  it('heads a failed run with FAIL, its counts in the title, and the totals that are bad in red', () => {
    const html = page([passing(), failing()]);
    expect(html).toContain('<title>alloc-runner: failed, 2 passed, 1 failed</title>');
    expect(html).toContain('<h1><span class="badge fail">FAIL</span> alloc-runner report</h1>');
    expect(html).toContain('<p class="meta">alloc-runner 9 · exit code 1</p>');
    expect(html).toContain('<dl class="totals" id="totals"><div class="total " data-total="kernels"><dt>kernels</dt><dd>2</dd></div><div class="total bad" data-total="kernels failed">');
    expect(totals(html)).toEqual(['kernels=kernels:2', 'kernels failed=kernels failed:1 bad', 'passed=passed:2 good', 'failed=failed:1 bad', 'skipped=skipped:1', 'not run=not run:0']);
  });

  it('heads a passed run with PASS and no total in red; tests not run are red', () => {
    const html = page([passing()]);
    expect(html).toContain('<title>alloc-runner: passed, 1 passed, 0 failed</title>');
    expect(html).toContain('<h1><span class="badge pass">PASS</span> alloc-runner report</h1>');
    expect(totals(html)).toEqual(['kernels=kernels:1', 'kernels failed=kernels failed:0', 'passed=passed:1 good', 'failed=failed:0', 'skipped=skipped:0', 'not run=not run:0']);
    const stopped = kernelResult('stopped', { status: 'crash', reason: 'reset', tests: [test(1, 'a', 'notrun')] });
    expect(totals(page([stopped]))).toContain('not run=not run:1 bad');
  });

  it('offers one filter per group, "all" chosen, and every filter the style sheet reads is there', () => {
    const html = page([passing()]);
    const filters = [...html.matchAll(/<label><input type="radio" name="filter" id="filter-(\w+)" value="(\w+)"( checked)?> (\w+)<\/label>/g)].map(([, id, value, checked, label]) => `${id}/${value}/${label}${checked ?? ''}`);
    expect(filters).toEqual(['all/all/all checked', 'failed/failed/failed', 'passed/passed/passed', 'skipped/skipped/skipped']);
    const read = new Set([...html.matchAll(/#filter-(\w+):checked/g)].map(([, id]) => id));
    expect([...read].sort()).toEqual(['failed', 'passed', 'skipped']);
  });

  it('shows a failing kernel first: its verdict, facts, reason, panic, tests, screen, last lines and artifacts', () => {
    const html = page([passing(), failing()]);
    expect(html.indexOf('data-kernel="kernel/bad"')).toBeLessThan(html.indexOf('data-kernel="kernel/good"'));
    expect(html).toContain('</section>\n<section class="kernel passed" data-kernel="kernel/good"');
    expect(section(html, 'kernel/bad')).toEqual([
      // The groups the filters show it under: its own verdict and each of its tests'.
      '<section class="kernel failed" data-kernel="kernel/bad" data-groups="failed passed skipped">',
      '<h2><span class="badge fail">FAIL</span> <span class="id">kernel/bad</span></h2>',
      '<p class="facts">3 tests · 2.50 s</p>',
      '<p class="reason"><strong>reason:</strong> a test failed</p>',
      '<pre class="panic">panicked at src/lib.rs:7:3:',
      'boom</pre>',
      '<ol class="tests">'
        + '<li class="test fail" data-group="failed"><details open><summary><span class="mark">✗</span> <span class="num">1</span> <span class="name">parent</span> <span class="word">failed</span><span class="why"> — reported ok, but subtests failed: 1 child</span></summary>'
        + '<pre class="diagnostics"># heap: used=1</pre><pre class="output">printed &lt;b&gt;',
      'more</pre><ol class="tests">'
        + '<li class="test fail" data-group="failed"><details open><summary><span class="mark">✗</span> <span class="num">1</span> <span class="name">child</span> <span class="word">failed</span><span class="why"> — panicked</span></summary><pre class="panic">panicked at src/lib.rs:7:3:',
      'boom</pre></details></li></ol></details></li>'
        + '<li class="test pass" data-group="passed"><div class="line"><span class="mark">✓</span> <span class="num">2</span> <span class="name">plain</span> <span class="word">passed</span><span class="time">12 ms</span></div></li>'
        + '<li class="test skip" data-group="skipped"><div class="line"><span class="mark">–</span> <span class="num">3</span> <span class="name">later</span> <span class="word">skipped</span><span class="why"> — filtered</span></div></li>'
        + '</ol>',
      expect.stringMatching(/^<figure class="chart"><figcaption>test durations \(ms\)<\/figcaption>/),
      '<p class="screen none">VGA screen: none (no VGA &lt;device&gt;)</p>',
      '<h3>last serial lines</h3><pre class="last">a &lt;line&gt;',
      'b</pre>',
      '<p class="artifacts">artifacts: <code>/artifacts/bad</code></p>',
      '</section>',
    ]);
  });

  it('shows a passing kernel with what decided it, no reason, its tests folded only when they have more to show', () => {
    expect(section(page([passing()]), 'kernel/good')).toEqual([
      '<section class="kernel passed" data-kernel="kernel/good" data-groups="passed">',
      '<h2><span class="badge pass">PASS</span> <span class="id">kernel/good</span></h2>',
      '<p class="facts">1 test · cached: passed before, not booted · kvm</p>',
      '<p class="decided">the screen showed &quot;ok&quot;</p>',
      '<ol class="tests"><li class="test xfail" data-group="passed"><div class="line"><span class="mark">✓</span> <span class="num">1</span> <span class="name">x</span> <span class="word">expected failure</span><span class="why"> — known</span></div></li></ol>',
      '<p class="artifacts">artifacts: <code>/artifacts/good</code></p>',
      '</section>',
    ]);
    const folded = kernelResult('folded', { tests: [test(1, 'p', 'pass', { subtests: [test(1, 's', 'skip')] })] });
    expect(section(page([folded]), 'kernel/folded')).toContain(
      '<ol class="tests"><li class="test pass" data-group="passed"><details><summary><span class="mark">✓</span> <span class="num">1</span> <span class="name">p</span> <span class="word">passed</span></summary>'
        + '<ol class="tests"><li class="test skip" data-group="skipped"><div class="line"><span class="mark">–</span> <span class="num">1</span> <span class="name">s</span> <span class="word">skipped</span></div></li></ol></details></li></ol>',
    );
    expect(section(page([folded]), 'kernel/folded')[0]).toBe('<section class="kernel passed" data-kernel="kernel/folded" data-groups="passed skipped">');
  });

  it('shows a kernel without tests, and a kernel that failed beyond its tests without a decision', () => {
    const hung = kernelResult('hung', { status: 'hang', reason: 'no exit', decidedBy: 'never shown for a failure', lastSerialLines: [] });
    expect(section(page([hung]), 'kernel/hung')).toEqual([
      '<section class="kernel failed" data-kernel="kernel/hung" data-groups="failed">',
      '<h2><span class="badge fail">HANG</span> <span class="id">kernel/hung</span></h2>',
      '<p class="facts">0 tests · 1.00 s</p>',
      '<p class="reason"><strong>reason:</strong> no exit</p>',
      '<p class="screen none">VGA screen: none (not read)</p>',
      '<p class="artifacts">artifacts: <code>/artifacts/hung</code></p>',
      '</section>',
    ]);
  });

  it('lists a passing kernel without tests under "passed", and shows of a test only what it has: a panic only when it failed', () => {
    expect(section(page([kernelResult('bare')]), 'kernel/bare')[0]).toBe('<section class="kernel passed" data-kernel="kernel/bare" data-groups="passed">');
    const k = kernelResult('k', {
      tests: [
        test(1, 'x', 'xfail', { panic, diagnostics: ['d1', 'd2'], output: [] }),
        test(2, 'p', 'pass', { subtests: [test(1, 'a', 'pass'), test(2, 'b', 'pass')] }),
      ],
    });
    const items = section(page([k]), 'kernel/k').join('\n');
    expect(items).toContain('<span class="word">expected failure</span></summary><pre class="diagnostics"># d1\n# d2</pre></details></li>');
    expect(items).toContain('<ol class="tests"><li class="test pass" data-group="passed"><div class="line"><span class="mark">✓</span> <span class="num">1</span> <span class="name">a</span> <span class="word">passed</span></div></li><li class="test pass"');
  });

  it('marks a test not run with "?" and its reason', () => {
    const stopped = kernelResult('s', { status: 'crash', reason: 'reset', tests: [test(1, 'late', 'notrun', { reason: 'planned' })] });
    expect(section(page([stopped]), 'kernel/s')).toContain(
      '<ol class="tests"><li class="test notrun" data-group="failed"><div class="line"><span class="mark">?</span> <span class="num">1</span> <span class="name">late</span> <span class="word">not run</span><span class="why"> — planned</span></div></li></ol>',
    );
  });

  it('shows a failing kernel\'s screen as text, as an image, or both', () => {
    const text = kernelResult('t', { status: 'fail', reason: 'r', screenText: 'Panic <here>' });
    expect(section(page([text]), 'kernel/t')).toContain('<div class="screen"><h3>VGA screen</h3><pre class="vga">Panic &lt;here&gt;</pre></div>');
    const blank = kernelResult('b', { status: 'fail', reason: 'r', screenText: '' });
    expect(section(page([blank]), 'kernel/b')).toContain('<div class="screen"><h3>VGA screen</h3><pre class="vga"></pre></div>');
    const image = kernelResult('i', { status: 'fail', reason: 'r' });
    const withImage = page([image], { version: '9', screenshot: () => Buffer.from('PNG') });
    expect(section(withImage, 'kernel/i')).toContain('<div class="screen"><h3>VGA screen</h3><img class="screenshot" alt="VGA screen of kernel/i" src="data:image/png;base64,UE5H"></div>');
    // Under UEFI there is only the image: the page says why there is no text beside it.
    const uefi = kernelResult('u', { status: 'fail', reason: 'r', noScreenReason: 'no VGA text screen under <UEFI>' });
    expect(section(page([uefi], { version: '9', screenshot: () => Buffer.from('PNG') }), 'kernel/u')).toContain(
      '<div class="screen"><h3>VGA screen</h3><img class="screenshot" alt="VGA screen of kernel/u" src="data:image/png;base64,UE5H"><p class="screen none">Text screen: none (no VGA text screen under &lt;UEFI&gt;)</p></div>',
    );
    // A passing kernel's screen is not evidence of anything: it is not shown.
    expect(page([kernelResult('p', { screenText: 'fine' })], { version: '9', screenshot: () => Buffer.from('PNG') })).not.toContain('VGA screen');
  });
});

describe('the screen in its colours', () => {
  it('draws each run of cells with the same attribute as one span, the standard palette\'s colours', () => {
    // A row without attributes is the default grey on black, as a cleared screen is.
    const screen = { rows: ['ABCD', 'xy', 'z'], attributes: [[0x1e, 0x1e, 0x07, 0xf0], []] };
    expect(colouredScreen(screen)).toBe(
      '<pre class="vga coloured" aria-label="the screen\'s text">'
        + '<span style="color:#ff5;background:#00a">AB</span><span style="color:#aaa;background:#000">C</span><span style="color:#000;background:#aaa">D</span>\n'
        + '<span style="color:#aaa;background:#000">xy</span>\n'
        + '<span style="color:#aaa;background:#000">z</span></pre>',
    );
    // Every colour of the palette, foreground and background (the background's blink bit ignored).
    const palette = ['#000', '#00a', '#0a0', '#0aa', '#a00', '#a0a', '#a50', '#aaa', '#555', '#55f', '#5f5', '#5ff', '#f55', '#f5f', '#ff5', '#fff'];
    const all = colouredScreen({ rows: ['x'.repeat(16)], attributes: [Array.from({ length: 16 }, (_, colour) => colour | ((colour % 8) << 4) | ((colour & 8) << 4))] });
    expect([...all.matchAll(/color:(#\w+);background:(#\w+)/g)].map(([, fg, bg]) => `${fg}/${bg}`)).toEqual(palette.map((colour, index) => `${colour}/${palette[index % 8]}`));
  });
});

describe('the charts', () => {
  it('draws each test\'s heap figures to scale: the largest 260 px long, the others in proportion, at least 1 px', () => {
    const kernel = kernelResult('k', {
      tests: [
        test(1, 'a', 'pass', { metrics: { peak: 4096, used: 16 } }),
        test(2, 'a_name_longer_than_twenty_six', 'pass', { metrics: { peak: 1024, other: 5 }, subtests: [test(1, 's', 'pass', { metrics: { used: 2048 } })] }),
        test(3, 'no heap figures', 'pass', { metrics: { other: 1 } }),
      ],
    });
    const svg = /<figure class="chart"><figcaption>heap by test \(bytes\)<\/figcaption>(.*?)<\/figure>/.exec(page([kernel]))?.[1];
    expect(svg?.replace(/></g, '>\n<').split('\n')).toEqual([
      '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 520 88" width="100%" style="max-width:520px">',
      // The legend: a swatch and a name per figure.
      '<rect x="170" y="4" width="10" height="10" fill="#d97706"/>',
      '<text x="184" y="13">peak</text>',
      '<rect x="240" y="4" width="10" height="10" fill="#2563eb"/>',
      '<text x="254" y="13">used</text>',
      // A row per test (subtests too): its name right-aligned before the bars, each bar with its figure after it.
      '<text x="164" y="31" text-anchor="end">a</text>',
      '<rect x="170" y="20" width="260" height="7" fill="#d97706">',
      '<title>a: peak 4096</title>',
      '</rect>',
      '<text x="434" y="27" class="v">4096</text>',
      '<rect x="170" y="28" width="1" height="7" fill="#2563eb">',
      '<title>a: used 16</title>',
      '</rect>',
      '<text x="175" y="35" class="v">16</text>',
      '<text x="164" y="53" text-anchor="end">a_name_longer_than_twenty…</text>',
      '<rect x="170" y="42" width="65" height="7" fill="#d97706">',
      '<title>a_name_longer_than_twenty_six: peak 1024</title>',
      '</rect>',
      '<text x="239" y="49" class="v">1024</text>',
      '<text x="164" y="75" text-anchor="end">s</text>',
      '<rect x="170" y="72" width="130" height="7" fill="#2563eb">',
      '<title>s: used 2048</title>',
      '</rect>',
      '<text x="304" y="79" class="v">2048</text>',
      '</svg>',
    ]);
  });

  it('draws the durations of the tests that have one, and no chart where no test has figures', () => {
    const timed = kernelResult('t', { tests: [test(1, 'twenty_six_characters_long', 'pass', { durationMs: 0 }), test(2, 'b', 'pass'), test(3, 'c', 'pass', { durationMs: 3 })] });
    const svg = /<figcaption>test durations \(ms\)<\/figcaption>(.*?)<\/figure>/.exec(page([timed]))?.[1];
    expect(svg).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 520 50" width="100%" style="max-width:520px">'
        + '<rect x="170" y="4" width="10" height="10" fill="#059669"/><text x="184" y="13">ms</text>'
        + '<text x="164" y="27" text-anchor="end">twenty_six_characters_long</text><rect x="170" y="20" width="1" height="7" fill="#059669"><title>twenty_six_characters_long: ms 0</title></rect><text x="175" y="27" class="v">0</text>'
        + '<text x="164" y="41" text-anchor="end">c</text><rect x="170" y="34" width="260" height="7" fill="#059669"><title>c: ms 3</title></rect><text x="434" y="41" class="v">3</text>'
        + '</svg>',
    );
    expect(page([kernelResult('none', { tests: [test(1, 'a', 'pass', { metrics: { other: 1 } })] })])).not.toContain('<figure');
  });
});
