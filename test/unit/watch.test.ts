import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildError, ExitCode, type ExitCodeValue } from '../../src/errors.js';
import type { KernelResult } from '../../src/model.js';
import type { KernelPlan } from '../../src/run/kernel.js';
import { filesFeeding, parseDepInfo } from '../../src/run/watch-files.js';
import { allTotals, watchTests, type WatchRound } from '../../src/run/watch.js';

describe("Cargo's dep-info", () => {
  it('lists each dependency once, with escaped spaces, comments left out', () => {
    const text = [
      '/t/deps/heap_basics-1.d: kernel/tests/heap_basics.rs kernel/src/my\\ file.rs',
      '',
      '/t/deps/heap_basics-1: kernel/tests/heap_basics.rs kernel/src/my\\ file.rs',
      '',
      'kernel/tests/heap_basics.rs:',
      '# env-dep:CARGO_PKG_NAME=kernel',
    ].join('\n');
    expect(parseDepInfo(text)).toEqual(['kernel/tests/heap_basics.rs', 'kernel/src/my file.rs']);
  });
});

const result = (id: string, status: KernelResult['status'], tests: Array<'pass' | 'fail'> = []) =>
  ({ id, status, tests: tests.map((outcome, index) => ({ number: index + 1, name: `t${index}`, status: outcome, diagnostics: [], subtests: [] })) }) as unknown as KernelResult;

describe('the totals for all kernels', () => {
  it('names the kernels that did not pass', () => {
    expect(allTotals([result('kernel/a', 'pass', ['pass']), result('kernel/b', 'fail', ['pass', 'fail'])])).toBe('all 2 kernels: 1 passed, 1 did not (kernel/b); 2 passed, 1 failed');
    expect(allTotals([result('kernel/a', 'pass', ['pass'])])).toBe('all 1 kernel: 1 passed; 1 passed, 0 failed');
  });
});

let tree: string;
beforeEach(() => {
  tree = mkdtempSync(join(tmpdir(), 'watch-unit-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(tree, { recursive: true, force: true });
});

function write(path: string, text = ''): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('the files that feed the kernels', () => {
  it("are the dep-info's sources, the manifests, the Cargo config and what it names, and the build scripts' rerun-if-changed files", () => {
    const deps = join(tree, 'target', 'x86_64-kernel', 'debug', 'deps');
    const registry = write(join(tree, 'home', '.cargo', 'registry', 'src', 'index', 'spin-0.9', 'src', 'lib.rs'));
    const sources = ['kernel/tests/heap.rs', 'kernel/src/lib.rs', 'kernel/src/my file.rs'];
    for (const source of [...sources, 'kernel/src/unused.rs']) write(join(tree, source));
    const depLine = `${sources.map((source) => source.replace(' ', '\\ ')).join(' ')} ${registry}`;
    write(join(deps, 'heap-1a2b.d'), `${join(deps, 'heap-1a2b')}: ${depLine}\n\n${join(deps, 'heap-1a2b.d')}: ${depLine}\n\nkernel/tests/heap.rs:\n`);
    write(join(tree, 'Cargo.toml'), '[workspace]\nmembers = ["kernel"]\n');
    write(join(tree, 'Cargo.lock'));
    write(join(tree, 'kernel', 'Cargo.toml'), '[package]\nname = "kernel"\n');
    write(join(tree, 'kernel', 'build.rs'));
    write(join(tree, '.cargo', 'config.toml'), '[build]\ntarget = "x86_64-kernel.json"\nrustflags = ["-C", "link-arg=-Tlinker/kernel.ld"]\n');
    write(join(tree, 'x86_64-kernel.json'), '{}');
    write(join(tree, 'linker', 'kernel.ld'));
    // A build script's rerun-if-changed path is relative to its package's folder.
    write(join(tree, 'kernel', 'memory.x'));
    write(join(tree, 'target', 'x86_64-kernel', 'debug', 'build', 'kernel-9f8e', 'output'), 'cargo:rustc-link-arg=-Tmemory.x\ncargo:rerun-if-changed=memory.x\ncargo::rerun-if-changed=build.rs\n');
    const plan = { id: 'kernel/heap', name: 'heap', image: join(deps, 'heap-1a2b'), sourceRoot: tree, symbols: join(deps, 'heap-1a2b') } as KernelPlan;

    const inside = [...filesFeeding([plan])].filter((file) => file.startsWith(`${tree}/`)).sort();
    expect(inside).toEqual(
      [...sources, 'kernel/Cargo.toml', 'kernel/build.rs', 'kernel/memory.x', 'Cargo.toml', 'Cargo.lock', '.cargo/config.toml', 'x86_64-kernel.json', 'linker/kernel.ld']
        .map((file) => join(tree, file))
        .sort(),
    );
  });
});

/** A terminal's stdin as the watch uses it: keys are typed with `type`. */
class FakeTerminal extends EventEmitter {
  isTTY = true;
  raw = false;
  setRawMode(on: boolean) {
    this.raw = on;
    return this;
  }
  setEncoding() {
    return this;
  }
  pause() {
    return this;
  }
  type(key: string) {
    this.emit('data', key);
  }
}

/** Two kernels whose images are files of the tree: `image(id, text)` rebuilds one. */
function twoKernels() {
  const plans = ['kernel/a', 'kernel/b'].map((id) => ({ id, name: id, image: write(join(tree, 'images', id), id) }) as KernelPlan);
  return { plans, image: (id: string, text: string) => write(join(tree, 'images', id), text) };
}

/**
 * The watch over a stub of one run of the suite: it boots what the round chooses, gives
 * each kernel the status `statuses` says (pass by default) and returns its exit code.
 * `booted[n]` is what round n booted, `rounds(n)` waits for n rounds or more; `during` runs inside a round, after its results;
 * a round that `fails` throws a build error before it boots anything.
 */
function watchStub(plans: KernelPlan[]) {
  const booted: string[][] = [];
  let statuses: Record<string, KernelResult['status']> = {};
  let during: (round: number) => Promise<void> | void = () => {};
  let fails: (round: number) => boolean = () => false;
  const terminal = new FakeTerminal();
  const runRound = async (round: WatchRound): Promise<ExitCodeValue> => {
    const number = booted.length;
    await sleep(0); // as a real round does (Cargo), so that a test sets up the stub first
    if (fails(number)) {
      booted.push([]);
      throw buildError('cargo test --no-run failed (exit status 101); its errors are above');
    }
    const chosen = await round.choose(plans);
    booted.push(chosen.map((plan) => plan.id));
    const results = chosen.map((plan) => result(plan.id, statuses[plan.id] ?? 'pass'));
    round.ran(plans, results);
    await during(number);
    return results.every((kernel) => kernel.status === 'pass') ? ExitCode.Passed : ExitCode.TestsFailed;
  };
  const ended = watchTests(runRound, tree, terminal as unknown as NodeJS.ReadStream);
  return {
    booted,
    terminal,
    ended,
    rounds: (count: number) => vi.waitFor(() => expect(booted.length).toBeGreaterThanOrEqual(count), { timeout: 3000, interval: 20 }),
    set statuses(value: Record<string, KernelResult['status']>) {
      statuses = value;
    },
    set during(value: (round: number) => Promise<void> | void) {
      during = value;
    },
    set fails(value: (round: number) => boolean) {
      fails = value;
    },
  };
}

const quiet = () => vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('test --watch, its keys and its rounds', () => {
  it('boots all at first; f reruns those that did not pass, a reruns all, q quits with the last exit code', async () => {
    quiet();
    const { plans } = twoKernels();
    const watch = watchStub(plans);
    watch.statuses = { 'kernel/b': 'fail' };
    await watch.rounds(1);
    expect(watch.booted[0]).toEqual(['kernel/a', 'kernel/b']);
    expect(watch.terminal.raw).toBe(true);

    watch.terminal.type('f');
    await watch.rounds(2);
    expect(watch.booted[1]).toEqual(['kernel/b']);

    watch.statuses = {};
    watch.terminal.type('f');
    await watch.rounds(3);
    expect(watch.booted[2]).toEqual(['kernel/b']);

    // Nothing failed now: f has nothing to boot.
    watch.terminal.type('f');
    await watch.rounds(4);
    expect(watch.booted[3]).toEqual([]);

    watch.terminal.type('a');
    await watch.rounds(5);
    expect(watch.booted[4]).toEqual(['kernel/a', 'kernel/b']);

    watch.terminal.type('x'); // not a key of the watch
    watch.terminal.type('q');
    expect(await watch.ended).toBe(ExitCode.Passed);
    expect(watch.booted).toHaveLength(5);
    expect(watch.terminal.raw).toBe(false);
    expect(watch.terminal.listenerCount('data')).toBe(0);
  });

  it.each([
    ['q', 'q'],
    ['Ctrl-C', '\u0003'],
  ])('%s quits with the exit code of a last run that failed', async (_name, key) => {
    quiet();
    const { plans } = twoKernels();
    const watch = watchStub(plans);
    watch.statuses = { 'kernel/a': 'hang' };
    await watch.rounds(1);
    watch.terminal.type(key);
    expect(await watch.ended).toBe(ExitCode.TestsFailed);
  });

  it('makes of the changes that arrive during a run one next round, which boots only the kernels whose images changed', async () => {
    const stderr = quiet();
    const { plans, image } = twoKernels();
    const source = write(join(tree, 'src', 'lib.rs'), 'fn a() {}');
    const test = write(join(tree, 'tests', 'b.rs'), 'fn b() {}');
    // Dep-info beside each kernel's executable, as Cargo writes it: both kernels are fed by both files.
    const deps = join(tree, 'target', 'debug', 'deps');
    write(join(deps, 'a-1.d'), `${join(deps, 'a-1')}: src/lib.rs tests/b.rs\n`);
    for (const plan of plans) Object.assign(plan, { sourceRoot: tree, symbols: join(deps, 'a-1') });
    const watch = watchStub(plans);
    watch.during = async (round) => {
      if (round !== 0) return;
      // Two changes, each one quiet long enough (150 ms) to count on its own, and a rebuilt image.
      writeFileSync(source, 'fn a() { 1; }');
      await sleep(400);
      writeFileSync(test, 'fn b() { 2; }');
      image('kernel/b', 'kernel/b rebuilt');
      await sleep(400);
    };
    await watch.rounds(2);
    expect(watch.booted[1]).toEqual(['kernel/b']);
    await sleep(600);
    expect(watch.booted).toHaveLength(2);
    const changedLines = stderr.mock.calls.map(([text]) => String(text)).filter((text) => text.includes('changed:'));
    expect(changedLines).toHaveLength(1);
    expect(changedLines[0]).toMatch(/lib\.rs/);
    expect(changedLines[0]).toMatch(/b\.rs/);
    watch.terminal.type('q');
    expect(await watch.ended).toBe(ExitCode.Passed);
  });

  it('watches the source tree until a build succeeds, and again after one fails: the fix of a first build that failed is seen', async () => {
    quiet();
    const { plans } = twoKernels();
    const source = write(join(tree, 'kernel', 'src', 'lib.rs'), 'fn broken( {}');
    const deps = join(tree, 'target', 'debug', 'deps');
    write(join(deps, 'a-1.d'), `${join(deps, 'a-1')}: kernel/src/lib.rs\n`);
    for (const plan of plans) Object.assign(plan, { sourceRoot: tree, symbols: join(deps, 'a-1') });
    const watch = watchStub(plans);
    watch.fails = (round) => round === 0 || round === 2;
    await watch.rounds(1);

    // Not sources: build output, an editor's hidden files, other kinds of files.
    write(join(deps, 'a-1.rs'));
    write(join(tree, 'kernel', 'src', '.#lib.rs'));
    write(join(tree, 'kernel', 'notes.txt'));
    await sleep(500);
    expect(watch.booted).toHaveLength(1);

    writeFileSync(source, 'fn fixed() {}');
    await watch.rounds(2);
    expect(watch.booted[1]).toEqual(['kernel/a', 'kernel/b']);

    // Built: only the files Cargo named are watched now, not a new file beside them...
    write(join(tree, 'kernel', 'src', 'new.rs'));
    await sleep(500);
    expect(watch.booted).toHaveLength(2);

    // ...until a build fails again, whose error may be in a file no build has named yet.
    writeFileSync(source, 'mod new; fn fixed() {}');
    await watch.rounds(3);
    writeFileSync(join(tree, 'kernel', 'src', 'new.rs'), 'fn new() {}');
    await watch.rounds(4);
    watch.terminal.type('q');
    expect(await watch.ended).toBe(ExitCode.Passed);
    expect(watch.booted).toHaveLength(4);
  });
});
