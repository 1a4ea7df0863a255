import type { KernelResult, TestResult, VgaScreen } from '../model.js';
import type { Outcome } from '../verdict/outcome.js';
import { panicText } from '../parse/panic-text.js';
import type { LogTail } from './log-tail.js';
import { PageLog } from './html-log.js';
import { counted, escapeHtml } from './text.js';

// `--reporter html`: the run as one self-contained page. Everything is rendered here, as
// escaped text: the page has no script at all, and its Content-Security-Policy forbids any,
// so kernel output (`</script>`, markup, control characters) is shown and never run. The
// status filters are radio buttons read by CSS (`:has`); folding is <details>; the VGA
// screen is a data: URI; the charts are inline SVG. Nothing is fetched when it is viewed.

export interface HtmlOptions {
  version: string;
  /** The kernel's vga.png, if it is still there (a merged report may come from elsewhere). */
  screenshot?: (kernel: KernelResult) => Buffer | undefined;
  /** The kernel's serial log (its end for a flood), if it is still there. */
  serialLog?: (kernel: KernelResult) => LogTail | undefined;
}

type Group = 'failed' | 'passed' | 'skipped';
const GROUP: Record<TestResult['status'], Group> = { pass: 'passed', xfail: 'passed', skip: 'skipped', fail: 'failed', notrun: 'failed' };
const MARK: Record<TestResult['status'], string> = { pass: '✓', xfail: '✓', skip: '–', fail: '✗', notrun: '?' };
const STATUS_WORD: Record<TestResult['status'], string> = { pass: 'passed', xfail: 'expected failure', skip: 'skipped', fail: 'failed', notrun: 'not run' };

/** The whole run as one HTML page: failing kernels first, then the rest, each in its order. */
export function htmlReport(outcome: Outcome, options: HtmlOptions): string {
  const kernels = [...outcome.kernels.filter((kernel) => kernel.status !== 'pass'), ...outcome.kernels.filter((kernel) => kernel.status === 'pass')];
  const { passed, failed, skipped, notRun } = outcome.totals;
  const failedKernels = outcome.kernels.length - outcome.kernels.filter((kernel) => kernel.status === 'pass').length;
  const totals = [
    total('kernels', outcome.kernels.length),
    total('kernels failed', failedKernels, failedKernels > 0 ? 'bad' : ''),
    total('passed', passed, 'good'),
    total('failed', failed, failed > 0 ? 'bad' : ''),
    total('skipped', skipped),
    total('not run', notRun, notRun > 0 ? 'bad' : ''),
  ].join('');
  const verdict = outcome.passed ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>alloc-runner: ${outcome.passed ? 'passed' : 'failed'}, ${passed} passed, ${failed} failed</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${verdict} alloc-runner report</h1>
<p class="meta">alloc-runner ${escapeHtml(options.version)} · exit code ${outcome.exitCode}</p>
<dl class="totals" id="totals">${totals}</dl>
<nav class="filters" aria-label="show">
${filter('all', 'all', true)}${filter('failed', 'failed')}${filter('passed', 'passed')}${filter('skipped', 'skipped')}
</nav>
</header>
<main>
${kernels.map((kernel, index) => kernelSection(kernel, options, `k${index + 1}`)).join('\n')}
</main>
</body>
</html>
`;
}

function total(label: string, value: number, tone = ''): string {
  return `<div class="total ${tone}" data-total="${escapeHtml(label)}"><dt>${escapeHtml(label)}</dt><dd>${value}</dd></div>`;
}

function filter(value: string, label: string, checked = false): string {
  return `<label><input type="radio" name="filter" id="filter-${value}" value="${value}"${checked ? ' checked' : ''}> ${label}</label>`;
}

/** @param prefix the kernel's part of every id in its section: kernel ids may hold any character. */
function kernelSection(kernel: KernelResult, options: HtmlOptions, prefix: string): string {
  const failed = kernel.status !== 'pass';
  const groups = new Set<Group>(failed ? ['failed'] : ['passed']);
  const visit = (tests: TestResult[]) => tests.forEach((test) => (groups.add(GROUP[test.status]), visit(test.subtests)));
  visit(kernel.tests);
  const facts = [
    counted(kernel.tests.length, 'test'),
    kernel.cached ? 'cached: passed before, not booted' : `${(kernel.durationMs / 1000).toFixed(2)} s`,
    kernel.accelerator,
  ].filter(Boolean) as string[];
  const parts = [
    `<h2><span class="badge ${failed ? 'fail' : 'pass'}">${kernel.status.toUpperCase()}</span> <span class="id">${escapeHtml(kernel.id)}</span></h2>`,
    `<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>`,
  ];
  if (kernel.reason && failed) parts.push(`<p class="reason"><strong>reason:</strong> ${escapeHtml(kernel.reason)}</p>`);
  if (kernel.decidedBy && !failed) parts.push(`<p class="decided">${escapeHtml(kernel.decidedBy)}</p>`);
  if (kernel.panic) parts.push(`<pre class="panic">${escapeHtml(panicText(kernel.panic))}</pre>`);
  const log = new PageLog(prefix, options.serialLog?.(kernel), kernel.tests, (test) => `${MARK[test.status]} ${test.number} ${test.name}: ${STATUS_WORD[test.status]}`);
  if (kernel.tests.length > 0) parts.push(`<ol class="tests">${kernel.tests.map((test) => testItem(test, log)).join('')}</ol>`);
  parts.push(...charts(kernel));
  if (failed) parts.push(...failureEvidence(kernel, options));
  const folded = log.render(kernel.serialBytes);
  if (folded) parts.push(folded);
  parts.push(`<p class="artifacts">artifacts: <code>${escapeHtml(kernel.artifacts.dir)}</code></p>`);
  return `<section class="kernel ${failed ? 'failed' : 'passed'}" data-kernel="${escapeHtml(kernel.id)}" data-groups="${[...groups].join(' ')}">\n${parts.join('\n')}\n</section>`;
}

function testItem(test: TestResult, log: PageLog): string {
  const time = test.durationMs === undefined ? '' : `<span class="time">${test.durationMs} ms</span>`;
  const reason = test.reason && test.status !== 'pass' ? `<span class="why"> — ${escapeHtml(test.reason)}</span>` : '';
  const head = `<span class="mark">${MARK[test.status]}</span> <span class="num">${test.number}</span> <span class="name">${escapeHtml(test.name)}</span> <span class="word">${STATUS_WORD[test.status]}</span>${time}${linesOf(test, log)}${reason}`;
  // A failing test shows its own lines, unless a failing subtest shows them closer to the failure.
  const failing = GROUP[test.status] === 'failed' && !test.subtests.some((subtest) => GROUP[subtest.status] === 'failed');
  const own = failing ? log.ownLines(test) : '';
  const whole = own !== '' && log.showsWhole(test);
  const body: string[] = [];
  if (test.panic && test.status === 'fail') body.push(`<pre class="panic">${escapeHtml(panicText(test.panic))}</pre>`);
  if (own) body.push(own);
  if (test.diagnostics.length > 0 && !whole) body.push(`<pre class="diagnostics">${test.diagnostics.map((line) => escapeHtml(`# ${line}`)).join('\n')}</pre>`);
  if (test.output && test.output.length > 0 && !whole) body.push(`<pre class="output">${test.output.map(escapeHtml).join('\n')}</pre>`);
  if (test.subtests.length > 0) body.push(`<ol class="tests">${test.subtests.map((subtest) => testItem(subtest, log)).join('')}</ol>`);
  const open = GROUP[test.status] === 'failed' ? ' open' : '';
  const inner = body.length > 0 ? `<details${open}><summary>${head}</summary>${body.join('')}</details>` : `<div class="line">${head}</div>`;
  return `<li class="test ${test.status}" data-group="${GROUP[test.status]}">${inner}</li>`;
}

/** Where a test's lines are in serial.log, linked to them in the folded log when the page has them. */
function linesOf(test: TestResult, log: PageLog): string {
  const lines = test.serialLines;
  if (!lines) return '';
  const text = lines.first === lines.last ? `line ${lines.first}` : `lines ${lines.first}–${lines.last}`;
  const link = log.link(test);
  return link ? ` <a class="lines" href="${link}">${text}</a>` : ` <span class="lines">${text}</span>`;
}

/** What there is to see of a failing kernel: its screen, as PNG and as text in its colours, and its last lines. */
function failureEvidence(kernel: KernelResult, options: HtmlOptions): string[] {
  const parts: string[] = [];
  const png = options.screenshot?.(kernel);
  const screen = kernel.screen ? colouredScreen(kernel.screen) : kernel.screenText !== undefined ? `<pre class="vga">${escapeHtml(kernel.screenText)}</pre>` : '';
  if (png || screen) {
    const image = png ? `<img class="screenshot" alt="VGA screen of ${escapeHtml(kernel.id)}" src="data:image/png;base64,${png.toString('base64')}">` : '';
    // The image alone would not say why there is no text beside it (under UEFI there never is).
    const noText = !screen && kernel.noScreenReason ? `<p class="screen none">Text screen: none (${escapeHtml(kernel.noScreenReason)})</p>` : '';
    parts.push(`<div class="screen"><h3>VGA screen</h3>${image}${screen}${noText}</div>`);
  } else {
    parts.push(`<p class="screen none">VGA screen: none (${escapeHtml(kernel.noScreenReason ?? 'not read')})</p>`);
  }
  if (kernel.lastSerialLines.length > 0) {
    parts.push(`<h3>last serial lines</h3><pre class="last">${kernel.lastSerialLines.map(escapeHtml).join('\n')}</pre>`);
  }
  return parts;
}

// The 16 VGA colours, as the standard palette draws them.
const VGA_PALETTE = ['#000', '#00a', '#0a0', '#0aa', '#a00', '#a0a', '#a50', '#aaa', '#555', '#55f', '#5f5', '#5ff', '#f55', '#f5f', '#ff5', '#fff'];

/** The 80x25 screen as text, each run of cells in its foreground and background colours. */
export function colouredScreen(screen: VgaScreen): string {
  const rows = screen.rows.map((row, index) => {
    const attributes = screen.attributes[index] ?? [];
    let out = '';
    for (let column = 0; column < row.length; ) {
      const attribute = attributes[column] ?? 0x07;
      let end = column + 1;
      while (end < row.length && (attributes[end] ?? 0x07) === attribute) end += 1;
      const style = `color:${VGA_PALETTE[attribute & 0x0f]};background:${VGA_PALETTE[(attribute >> 4) & 0x07]}`;
      out += `<span style="${style}">${escapeHtml(row.slice(column, end))}</span>`;
      column = end;
    }
    return out;
  });
  return `<pre class="vga coloured" aria-label="the screen's text">${rows.join('\n')}</pre>`;
}

/** Inline SVG bar charts: the heap figures (peak and used) by test, and the tests' durations. */
function charts(kernel: KernelResult): string[] {
  const flat: TestResult[] = [];
  const visit = (tests: TestResult[]) => tests.forEach((test) => (flat.push(test), visit(test.subtests)));
  visit(kernel.tests);
  const out: string[] = [];
  const heap = flat.filter((test) => test.metrics && (test.metrics.peak !== undefined || test.metrics.used !== undefined));
  if (heap.length > 0) {
    out.push(barChart('heap by test (bytes)', heap, [
      { key: 'peak', colour: '#d97706', value: (test) => test.metrics?.peak },
      { key: 'used', colour: '#2563eb', value: (test) => test.metrics?.used },
    ]));
  }
  const timed = flat.filter((test) => test.durationMs !== undefined);
  if (timed.length > 0) out.push(barChart('test durations (ms)', timed, [{ key: 'ms', colour: '#059669', value: (test) => test.durationMs }]));
  return out;
}

interface Series {
  key: string;
  colour: string;
  value: (test: TestResult) => number | undefined;
}

function barChart(title: string, tests: TestResult[], series: Series[]): string {
  const rowHeight = 6 + 8 * series.length;
  const labelWidth = 170;
  const barWidth = 260;
  const width = labelWidth + barWidth + 90;
  const height = 22 + rowHeight * tests.length;
  const max = Math.max(1, ...tests.flatMap((test) => series.map((one) => one.value(test) ?? 0)));
  const rows = tests.map((test, index) => {
    const y = 20 + index * rowHeight;
    const label = test.name.length > 26 ? `${test.name.slice(0, 25)}…` : test.name;
    const bars = series.map((one, at) => {
      const value = one.value(test);
      if (value === undefined) return '';
      const length = Math.max(1, Math.round((value / max) * barWidth));
      return `<rect x="${labelWidth}" y="${y + at * 8}" width="${length}" height="7" fill="${one.colour}"><title>${escapeHtml(`${test.name}: ${one.key} ${value}`)}</title></rect>`
        + `<text x="${labelWidth + length + 4}" y="${y + at * 8 + 7}" class="v">${value}</text>`;
    });
    return `<text x="${labelWidth - 6}" y="${y + 4 * series.length + 3}" text-anchor="end">${escapeHtml(label)}</text>${bars.join('')}`;
  });
  const legend = series.map((one, at) => `<rect x="${labelWidth + at * 70}" y="4" width="10" height="10" fill="${one.colour}"/><text x="${labelWidth + at * 70 + 14}" y="13">${one.key}</text>`).join('');
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">${legend}${rows.join('')}</svg></figure>`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#656d76;--card:#f6f8fa;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700;--line:#d0d7de;--target:#fff8c5}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--card:#161b22;--bad:#f85149;--good:#3fb950;--warn:#d29922;--line:#30363d;--target:#3b2e00}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:12px;font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:0 0 .3em;overflow-wrap:anywhere}h3{font-size:1em;margin:.8em 0 .3em}
.meta,.facts,.artifacts,.decided{color:var(--muted);margin:.2em 0}
.badge{display:inline-block;padding:0 .45em;border-radius:4px;color:#fff;font-weight:700;font-size:.85em}
.badge.pass{background:var(--good)}.badge.fail{background:var(--bad)}
.totals{display:flex;flex-wrap:wrap;gap:8px;margin:.6em 0}
.total{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:4px 10px;min-width:90px}
.total dt{font-size:.8em;color:var(--muted)}.total dd{margin:0;font-size:1.3em;font-weight:700}
.total.bad dd{color:var(--bad)}.total.good dd{color:var(--good)}
.filters{display:flex;flex-wrap:wrap;gap:12px;margin:.4em 0 1em}
.kernel{border:1px solid var(--line);border-left:5px solid var(--good);border-radius:6px;padding:10px 12px;margin:0 0 14px;background:var(--bg)}
.kernel.failed{border-left-color:var(--bad)}
.reason{color:var(--bad);overflow-wrap:anywhere}
ol.tests{list-style:none;padding-left:0;margin:.4em 0}ol.tests ol.tests{padding-left:1.2em}
.test{padding:2px 0;border-top:1px solid var(--line)}
.test summary{cursor:pointer}
.mark{display:inline-block;width:1em;font-weight:700}
.test.pass .mark{color:var(--good)}.test.xfail .mark,.test.skip .mark{color:var(--warn)}.test.fail .mark,.test.notrun .mark{color:var(--bad)}
.num{color:var(--muted)}.name{font-weight:600;overflow-wrap:anywhere}.word{color:var(--muted);font-size:.85em}
.time{margin-left:.5em;color:var(--muted);font-size:.85em}.why{color:var(--muted);overflow-wrap:anywhere}
.test.fail .why,.test.notrun .why{color:var(--bad)}
pre{background:var(--card);border:1px solid var(--line);border-radius:4px;padding:6px 8px;overflow-x:auto;font:12.5px/1.35 ui-monospace,monospace;white-space:pre;margin:.3em 0}
pre.panic{color:var(--bad)}
pre.vga{display:inline-block;max-width:100%;vertical-align:top}
pre.vga.coloured{background:#000;color:#aaa;padding:4px}
.screenshot{display:block;max-width:100%;height:auto;image-rendering:pixelated;border:1px solid var(--line);margin:.3em 0}
.chart{margin:.6em 0}.chart figcaption{font-size:.85em;color:var(--muted)}
.chart svg text{font:11px system-ui,sans-serif;fill:var(--fg)}.chart svg text.v{fill:var(--muted)}
details.serial>summary{cursor:pointer;color:var(--muted)}
.lines{margin-left:.5em;font-size:.85em;color:var(--muted)}.more{color:var(--muted);font-size:.85em;margin:.2em 0}
pre.log .l{counter-increment:line}
pre.log .l::before{content:counter(line);display:inline-block;min-width:3em;margin-right:1ch;padding-right:.5ch;border-right:1px solid var(--line);text-align:right;color:var(--muted);user-select:none}
pre.log .run{display:block;border-left:3px solid var(--good);margin-left:2px;scroll-margin-top:2em}
pre.log .run.skip,pre.log .run.xfail{border-left-color:var(--warn)}pre.log .run.fail,pre.log .run.notrun{border-left-color:var(--bad)}
pre.log .run::before{content:attr(data-test);display:block;color:var(--muted);font-style:italic;user-select:none}
pre.log .run:target{background:var(--target)}
body:has(#filter-failed:checked) .kernel:not([data-groups~="failed"]),
body:has(#filter-passed:checked) .kernel:not([data-groups~="passed"]),
body:has(#filter-skipped:checked) .kernel:not([data-groups~="skipped"]),
body:has(#filter-failed:checked) .test:not([data-group="failed"]):not(:has([data-group="failed"])),
body:has(#filter-passed:checked) .test:not([data-group="passed"]):not(:has([data-group="passed"])),
body:has(#filter-skipped:checked) .test:not([data-group="skipped"]):not(:has([data-group="skipped"])){display:none}
@media (max-width:600px){body{padding:6px;font-size:14px}.total{min-width:70px}pre{font-size:11px}}
`;
