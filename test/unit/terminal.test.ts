import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../../src/model.js';
import { kernelResult, testResult } from '../support/results.js';
import { closingLine, drawnScreen, renderReport } from '../../src/report/terminal.js';
import { decodeVgaBuffer } from '../../src/capture/vga.js';

const plain = new Chalk({ level: 0 });
const colours = new Chalk({ level: 1 });

const test = testResult;
const kernel = (name: string, extra: Partial<KernelResult> = {}): KernelResult =>
  kernelResult(name, { durationMs: 1234, accelerator: 'tcg', ...extra });

describe('the terminal report', () => {
  it('gives a passing kernel one line and a line per test, diagnostics only with --verbose', () => {
    const passing = kernel('heap', {
      tests: [
        test(1, 'boxes', 'pass', { diagnostics: ['heap: used=16'] }),
        test(2, 'exhaustion', 'xfail', { reason: 'bump heap' }),
        test(3, 'bare_xfail', 'xfail'),
        test(4, 'later', 'skip', { reason: 'filtered' }),
        test(5, 'bare_skip', 'skip'),
        test(6, 'parent', 'pass', { subtests: [test(1, 'child', 'pass', { diagnostics: ['deep'] })] }),
      ],
    });
    expect(renderReport([passing], plain, { verbose: false })).toBe(
      [
        'PASS  kernel heap (6 tests, 1.23 s, tcg)',
        '  ✓ 1 boxes',
        '  ✓ 2 exhaustion (expected failure: bump heap)',
        '  ✓ 3 bare_xfail (expected failure)',
        '  - 4 later (skipped: filtered)',
        '  - 5 bare_skip (skipped)',
        '  ✓ 6 parent',
        '    ✓ 1 child',
      ].join('\n'),
    );
    const verbose = renderReport([passing], plain, { verbose: true }).split('\n');
    expect(verbose[1]).toBe('  ✓ 1 boxes');
    expect(verbose[2]).toBe('      # heap: used=16');
    expect(verbose.at(-1)).toBe('        # deep');
  });

  it('says a cached kernel was not booted, and names a kernel without a package by its name alone', () => {
    expect(renderReport([kernel('k', { package: undefined, cached: true })], plain, { verbose: false })).toBe('PASS  k (0 tests, cached: passed before, not booted)');
    expect(renderReport([kernel('k', { accelerator: undefined })], plain, { verbose: false })).toBe('PASS  kernel k (0 tests, 1.23 s)');
  });

  it('shows everything about a failing kernel: tests with diagnostics, reason, panic, serial tail, screen, artifacts', () => {
    const failing = kernel('broken', {
      status: 'fail',
      reason: 'the kernel reported failure (exit status 35)',
      panic: { file: 'src/main.rs', line: 3, column: 4, message: 'outside\nsecond line' },
      tests: [
        test(1, 'ok_one', 'pass', { diagnostics: ['said something'] }),
        test(2, 'bad', 'fail', { panic: { file: 'tests/a.rs', line: 7, column: 9, message: 'boom\nleft: 1' }, reason: 'not shown with a panic' }),
        test(3, 'worse', 'fail', { reason: 'checksum mismatch' }),
        test(4, 'plain', 'fail'),
      ],
      lastSerialLines: ['not ok 4 plain', 'x'.repeat(205)],
      screenText: 'Hello\nWorld',
    });
    expect(renderReport([failing], plain, { verbose: false })).toBe(
      [
        'FAIL  kernel broken (4 tests, 1.23 s, tcg)',
        '  ✓ 1 ok_one',
        '      # said something',
        '  ✗ 2 bad',
        '      panicked at tests/a.rs:7:9:',
        '      boom',
        '      left: 1',
        '  ✗ 3 worse — checksum mismatch',
        '  ✗ 4 plain',
        '  reason: the kernel reported failure (exit status 35)',
        '  panic: panicked at src/main.rs:3:4: outside',
        '  last serial lines:',
        '    | not ok 4 plain',
        `    | ${'x'.repeat(200)}… (5 more characters)`,
        '  VGA screen:',
        '    | Hello',
        '    | World',
        '  artifacts: /artifacts/broken',
      ].join('\n'),
    );
  });

  it('says why there is no screen, shows a blank one as blank, and pads the status to one width', () => {
    const hung = kernel('hung', { status: 'hang', reason: 'no exit within 3 s', noScreenReason: 'QEMU ended before the screen could be read' });
    const blank = kernel('blank', { status: 'crash', reason: 'reset', screenText: '' });
    const unread = kernel('unread', { status: 'error' });
    expect(renderReport([hung, blank, unread], plain, { verbose: false })).toBe(
      [
        'HANG  kernel hung (0 tests, 1.23 s, tcg)',
        '  reason: no exit within 3 s',
        '  VGA screen: none (QEMU ended before the screen could be read)',
        '  artifacts: /artifacts/hung',
        'CRASH kernel blank (0 tests, 1.23 s, tcg)',
        '  reason: reset',
        '  VGA screen:',
        '    | (blank)',
        '  artifacts: /artifacts/blank',
        'ERROR kernel unread (0 tests, 1.23 s, tcg)',
        '  reason: unknown',
        '  VGA screen: none (not read)',
        '  artifacts: /artifacts/unread',
      ].join('\n'),
    );
  });

  it('colours the status and marks only on a colour terminal', () => {
    const out = renderReport([kernel('k', { tests: [test(1, 'a', 'pass')] }), kernel('f', { status: 'fail', tests: [test(1, 'b', 'fail')] })], colours, { verbose: false });
    expect(out).toContain('\x1b[32m\x1b[1mPASS \x1b[22m\x1b[39m');
    expect(out).toContain('\x1b[31m\x1b[1mFAIL \x1b[22m\x1b[39m');
    expect(out).toContain('\x1b[31m✗\x1b[39m 1 b');
  });

  it('draws the screen in its own colours only when the terminal has colours', () => {
    const bytes = Buffer.alloc(4000);
    for (let i = 0; i < 2000; i++) bytes.writeUInt16LE(0x0720, i * 2);
    bytes.writeUInt16LE(0x4f41, 0); // a white-on-red "A"
    const screen = decodeVgaBuffer(bytes);
    const withScreen = kernel('k', { screen, screenText: 'A' });
    expect(drawnScreen(withScreen, plain)).toBe('A');
    expect(drawnScreen(withScreen, colours)).not.toBe('A');
    expect(drawnScreen(withScreen, colours)).toContain('\x1b[');
    expect(drawnScreen({ ...withScreen, screen: undefined }, colours)).toBe('A');
  });
});

describe('the closing line', () => {
  it('says what decided a passing kernel, which artifacts are incomplete, and names a kernel by its whole id when it is not under its package', () => {
    const decided = kernel('vga', { decidedBy: 'the screen showed "ok" after 0.41 s', artifacts: { dir: '/a', serialLog: '/a/serial.log', incomplete: ['vga.png: disk full'] } });
    expect(renderReport([decided], plain, { verbose: false })).toBe(['PASS  kernel vga (0 tests, 1.23 s, tcg): the screen showed "ok" after 0.41 s', '  artifact incomplete: vga.png: disk full'].join('\n'));
    const failedDecided = kernel('f', { status: 'fail', reason: 'r', decidedBy: 'never shown for a failure' });
    expect(renderReport([failedDecided], plain, { verbose: false })).not.toContain('never shown');
    expect(renderReport([kernel('other/x', { id: 'other/x' })], plain, { verbose: false })).toMatch(/^PASS  kernel other\/x \(/);
  });

  it('shows a test not run with its reason or "never reported", and its output; a passing test\'s output only with --verbose', () => {
    const stopped = kernel('s', {
      status: 'crash',
      reason: 'reset',
      tests: [test(1, 'a', 'notrun', { output: ['last words'] }), test(2, 'b', 'notrun', { reason: 'planned' }), test(3, 'c', 'pass', { output: ['chatter'] }), test(4, 'd', 'skip', { output: ['skipped chatter'] })],
    });
    const lines = renderReport([stopped], plain, { verbose: false }).split('\n');
    expect(lines.slice(1, 5)).toEqual(['  ? 1 a (not run: never reported)', '      > last words', '  ? 2 b (not run: planned)', '  ✓ 3 c']);
    expect(lines[5]).toBe('  - 4 d (skipped)');
  });

  it('shows a panic only for a failed test', () => {
    const k = kernel('k', { tests: [test(1, 'x', 'xfail', { reason: 'known', panic: { file: 'a.rs', line: 1, column: 1, message: 'expected' } })] });
    expect(renderReport([k], plain, { verbose: false }).split('\n').slice(1)).toEqual(['  ✓ 1 x (expected failure: known)']);
  });

  it('marks a test slow only past the limit, and cuts only lines longer than 200 characters', () => {
    const timed = kernel('t', { status: 'fail', reason: 'r', tests: [test(1, 'at', 'pass', { durationMs: 300 }), test(2, 'over', 'pass', { durationMs: 301 })], lastSerialLines: ['x'.repeat(200), 'y'.repeat(201)] });
    const lines = renderReport([timed], plain, { verbose: false, slowTestMs: 300 }).split('\n');
    expect(lines.slice(1, 3)).toEqual(['  ✓ 1 at', '  ✓ 2 over 301 ms, slow']);
    expect(lines).toContain(`    | ${'x'.repeat(200)}`);
    expect(lines).toContain(`    | ${'y'.repeat(200)}… (1 more characters)`);
  });

  it('counts passed and failed always, skipped and not run only when any were', () => {
    expect(closingLine({ passed: 3, failed: 1, skipped: 0, notRun: 0 })).toBe('3 passed, 1 failed');
    expect(closingLine({ passed: 0, failed: 0, skipped: 2, notRun: 0 })).toBe('0 passed, 0 failed, 2 skipped');
    expect(closingLine({ passed: 1, failed: 1, skipped: 0, notRun: 2 })).toBe('1 passed, 1 failed, 2 not run');
  });
});
