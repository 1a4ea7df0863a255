import { describe, expect, it } from 'vitest';
import { commandLineSettings, DEFAULT_CONFIG, kernelConfig, parsePackageConfig, type KernelConfig } from '../../src/project/config.js';
import { ConditionWatch, describeDecision } from '../../src/verdict/conditions.js';
import { judge, type Evidence } from '../../src/verdict/judge.js';
import type { Ending, SerialReport } from '../../src/model.js';

const config = (settings: Partial<KernelConfig>): KernelConfig => ({ ...DEFAULT_CONFIG, ...settings });
const noTests: SerialReport = { format: 'none', tests: [], problems: [] };

describe('pass-when and fail-when in [package.metadata.alloc-runner]', () => {
  it('reads each key at package and kernel level', () => {
    const pkg = parsePackageConfig({
      'fail-when-serial': 'panicked at',
      kernels: { test_allocator: { 'pass-when-vga': 'Allocator works!', 'fail-when-vga': ['EXCEPTION:', 'PANIC'], 'vga-poll-ms': 100 } },
      'pass-when-serial': '^done$',
    });
    expect(kernelConfig(pkg, 'test_allocator')).toMatchObject({
      passWhenVga: 'Allocator works!',
      passWhenSerial: '^done$',
      failWhenVga: ['EXCEPTION:', 'PANIC'],
      failWhenSerial: ['panicked at'],
      vgaPollMs: 100,
    });
    expect(kernelConfig(pkg, 'other')).toMatchObject({ failWhenVga: [], vgaPollMs: 50 });
    expect(kernelConfig(pkg, 'other').passWhenVga).toBeUndefined();
  });

  it('refuses bad values, naming the key', () => {
    expect(() => parsePackageConfig({ 'pass-when-vga': '' })).toThrow('package.metadata.alloc-runner.pass-when-vga: expected a non-empty string, got ""');
    expect(() => parsePackageConfig({ 'pass-when-vga': ['a', 'b'] })).toThrow(/pass-when-vga: expected a non-empty string, got \["a","b"\]/);
    expect(() => parsePackageConfig({ kernels: { k: { 'pass-when-serial': '(' } } })).toThrow(
      /alloc-runner\.kernels\.k\.pass-when-serial: "\(" is not a valid regular expression/,
    );
    expect(() => parsePackageConfig({ 'fail-when-serial': ['ok', '[x'] })).toThrow(/fail-when-serial: "\[x" is not a valid regular expression/);
    expect(() => parsePackageConfig({ 'fail-when-vga': [3] })).toThrow(/fail-when-vga: expected a non-empty string, got 3/);
    expect(() => parsePackageConfig({ 'vga-poll-ms': 5 })).toThrow(/vga-poll-ms: expected a whole number of milliseconds from 10 to 10000, got 5/);
    expect(() => parsePackageConfig({ 'vga-poll-ms': 0.5 })).toThrow(/vga-poll-ms/);
  });
});

describe('the command-line options of the same names', () => {
  it('become settings that replace the configuration', () => {
    const settings = commandLineSettings({
      'pass-when-vga': 'Allocator works!',
      'fail-when-serial': ['panicked at', 'EXCEPTION'],
      'vga-contains': [],
      'exit-status': '35',
      'vga-poll-ms': '20',
    });
    expect(settings).toEqual({ passWhenVga: 'Allocator works!', failWhenSerial: ['panicked at', 'EXCEPTION'], exitStatus: 35, vgaPollMs: 20 });
    const pkg = parsePackageConfig({ 'pass-when-vga': 'from the configuration', 'vga-contains': ['a'] });
    expect(kernelConfig(pkg, 'k', settings)).toMatchObject({ passWhenVga: 'Allocator works!', vgaContains: ['a'] });
  });

  it('refuses bad values, naming the option', () => {
    expect(() => commandLineSettings({ 'pass-when-serial': '(' })).toThrow(/^--pass-when-serial: "\(" is not a valid regular expression/);
    expect(() => commandLineSettings({ 'serial-matches': ['a', '*'] })).toThrow(/^--serial-matches: "\*" is not a valid regular expression/);
    expect(() => commandLineSettings({ 'exit-status': 'ok' })).toThrow('--exit-status: expected an exit status from 0 to 255, got "ok"');
    expect(() => commandLineSettings({ 'exit-status': '256' })).toThrow(/^--exit-status: expected an exit status/);
    expect(() => commandLineSettings({ 'vga-poll-ms': '1e3' })).toThrow(/^--vga-poll-ms: expected a whole number/);
    expect(() => commandLineSettings({ 'pass-when-vga': '' })).toThrow(/^--pass-when-vga: expected a non-empty string/);
  });
});

describe('ConditionWatch', () => {
  it('passes on the first serial line that matches, and watches no screen without a VGA condition', () => {
    const watch = new ConditionWatch(config({ passWhenSerial: '^all \\d+ done$' }));
    expect(watch.watchesScreen).toBe(false);
    expect(watch.line('all 3 done soon', 0.1)).toBe(false);
    expect(watch.line('all 3 done', 0.25)).toBe(true);
    expect(watch.decision).toEqual({ verdict: 'pass', key: 'pass-when-serial', pattern: '^all \\d+ done$', matched: 'all 3 done', seconds: 0.25 });
    expect(describeDecision(watch.decision!)).toBe('the serial line "all 3 done" matched /^all \\d+ done$/ after 0.25 s');
  });

  it('watches the screen only until it is decided', () => {
    const watch = new ConditionWatch(config({ passWhenVga: 'Allocator works!' }));
    expect(watch.watchesScreen).toBe(true);
    expect(watch.waitedFor()).toEqual(['the screen showing "Allocator works!" (pass-when-vga)']);
    expect(watch.screen('Booted in 64-bit long mode', 0.1)).toBe(false);
    expect(watch.screen('Booted in 64-bit long mode\nAllocator works!', 0.412)).toBe(true);
    expect(watch.watchesScreen).toBe(false);
    expect(watch.waitedFor()).toEqual([]);
    expect(describeDecision(watch.decision!)).toBe('the screen showed "Allocator works!" after 0.41 s');
  });

  it('lets a fail win over a pass: on the same screen, and after a pass', () => {
    const both = new ConditionWatch(config({ passWhenVga: 'works', failWhenVga: ['EXCEPTION'] }));
    both.screen('works\nEXCEPTION: page fault', 1);
    expect(both.decision).toMatchObject({ verdict: 'fail', key: 'fail-when-vga', matched: 'EXCEPTION: page fault' });
    expect(describeDecision(both.decision!)).toBe('fail-when-vga: the screen showed "EXCEPTION" after 1.00 s, in the line "EXCEPTION: page fault"');

    const later = new ConditionWatch(config({ passWhenSerial: 'done', failWhenSerial: ['panicked at'] }));
    later.line('done', 1);
    later.line('panicked at src/main.rs:1:1:', 1.01);
    expect(later.decision).toMatchObject({ verdict: 'fail', key: 'fail-when-serial' });
    expect(describeDecision(later.decision!)).toBe('fail-when-serial: the serial line "panicked at src/main.rs:1:1:" matched /panicked at/ after 1.01 s');
  });

  it('keeps the first fail', () => {
    const watch = new ConditionWatch(config({ failWhenSerial: ['a', 'b'] }));
    watch.line('b', 1);
    watch.line('a', 2);
    expect(watch.decision).toMatchObject({ pattern: 'b', seconds: 1 });
  });

  it('decides nothing without conditions', () => {
    const watch = new ConditionWatch(DEFAULT_CONFIG);
    expect(watch.line('anything', 1)).toBe(false);
    expect(watch.screen('anything', 1)).toBe(false);
    expect(watch.watchesScreen).toBe(false);
    expect(watch.decision).toBeUndefined();
    expect(watch.waitedFor()).toEqual([]);
  });
});

describe('verdicts with conditions', () => {
  const passed = { verdict: 'pass' as const, key: 'pass-when-vga' as const, pattern: 'Allocator works!', matched: 'Allocator works!', seconds: 0.41 };
  const failed = { verdict: 'fail' as const, key: 'fail-when-serial' as const, pattern: 'panicked at', matched: 'panicked at x', seconds: 0.2 };
  const evidence = (ending: Ending, extra: Partial<Evidence> = {}): Evidence => ({
    ending,
    serial: noTests,
    unmatchedPatterns: [],
    screenText: 'Booted\nAllocator works!',
    ...extra,
  });
  const conditions = config({ passWhenVga: 'Allocator works!', failWhenSerial: ['panicked at'] });

  it('passes a run a pass condition decided, and says what decided it', () => {
    expect(judge(evidence({ kind: 'decided' }, { decision: passed }), conditions)).toEqual({
      status: 'pass',
      decidedBy: 'the screen showed "Allocator works!" after 0.41 s',
    });
  });

  it('fails a decided run whose tests or expectations disagree', () => {
    const notOk: SerialReport = { format: 'ktap', plannedTests: 2, tests: [{ number: 1, name: 'a', status: 'fail', diagnostics: [], subtests: [] }], problems: [] };
    const verdict = judge(evidence({ kind: 'decided' }, { decision: passed, serial: notOk }), conditions);
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe(
      'pass-when-vga was met, but a test failed: 1 a; the kernel planned 2 tests but reported 1 (QEMU was stopped when the screen showed "Allocator works!" after 0.41 s)',
    );
    const missing = judge(evidence({ kind: 'decided' }, { decision: passed }), config({ ...conditions, vgaContains: ['Goodbye'] }));
    expect(missing.reason).toMatch(/^the VGA screen should contain "Goodbye"/);
  });

  it('lets a fail-when match win over any ending but QEMU failing', () => {
    for (const ending of [{ kind: 'decided' }, { kind: 'exited', status: 33 }, { kind: 'timeout', seconds: 3 }, { kind: 'reset' }] as Ending[]) {
      expect(judge(evidence(ending, { decision: failed }), conditions)).toEqual({
        status: 'fail',
        reason: 'fail-when-serial: the serial line "panicked at x" matched /panicked at/ after 0.20 s',
      });
    }
    expect(judge(evidence({ kind: 'qemu-failed', message: 'no' }, { decision: failed }), conditions).status).toBe('error');
  });

  it('judges a kernel that exits by its exit, whatever its pass condition', () => {
    expect(judge(evidence({ kind: 'exited', status: 35 }, { decision: passed }), conditions)).toMatchObject({
      status: 'fail',
      reason: 'the kernel reported failure (exit status 35)',
    });
    expect(judge(evidence({ kind: 'exited', status: 33 }), conditions)).toEqual({ status: 'pass' });
  });

  it('names the condition a hung kernel was waited for', () => {
    const verdict = judge(evidence({ kind: 'timeout', seconds: 3 }, { waitedFor: ['the screen showing "Allocator works!" (pass-when-vga)'] }), conditions);
    expect(verdict).toEqual({
      status: 'hang',
      reason: 'no exit within 3 s, waiting for the screen showing "Allocator works!" (pass-when-vga); QEMU was killed',
    });
  });
});
