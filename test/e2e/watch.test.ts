// --watch in a real pseudo-terminal (test/e2e/terminal.py, typing what this test writes to
// it): a copy of the bundled kernel workspace is watched; editing one test file reruns only
// that kernel, breaking it shows the failure, a build error is shown and the watch goes on,
// fixing it shows the pass, and `q` ends the watch. A watch whose first build fails sees
// the fix too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alloc, CLI, copyFixtures } from './helpers.js';

const TERMINAL = resolve(import.meta.dirname, 'terminal.py');
// Shared between runs, so that only the copy's own crates are built again.
const TARGET = join(tmpdir(), 'alloc-runner-watch-target');

let dir: string;
let fixtures: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'watch-'));
  fixtures = copyFixtures(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The watch in a terminal: `screen()` is all it showed so far; `shown(re, n)` waits until `re` appeared `n` times. */
function watchInTerminal(args: string[]) {
  const term = execa('python3', [TERMINAL, '[]', process.execPath, CLI, 'test', '--watch', ...args], {
    cwd: fixtures,
    env: { NO_COLOR: '1', CARGO_TARGET_DIR: TARGET },
    reject: false,
    timeout: 400_000,
  });
  let screen = '';
  term.stdout!.on('data', (chunk) => {
    screen += String(chunk);
  });
  const shown = async (pattern: RegExp, times = 1, withinMs = 300_000) => {
    const global = new RegExp(pattern.source, 'g');
    const started = Date.now();
    while ((screen.match(global) ?? []).length < times) {
      if (term.exitCode !== undefined && term.exitCode !== null) throw new Error(`the watch ended early:\n${screen}`);
      if (Date.now() - started > withinMs) throw new Error(`never shown within ${withinMs} ms: ${pattern}\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return Date.now() - started;
  };
  return { term, shown, screen: () => screen, type: (text: string) => term.stdin!.write(text) };
}

const ROUND_END = /watching for changes; press a to rerun all/;

describe('--watch', () => {
  it('reruns only the kernel whose test file changed: its failure, then its pass; q ends it', async () => {
    const watch = watchInTerminal(['--features', 'global_alloc']);
    await watch.shown(ROUND_END);
    expect(watch.screen()).toMatch(/all 5 kernels: 5 passed; 18 passed, 0 failed/);

    const test = join(fixtures, 'kernel', 'tests', 'heap_basics.rs');
    const source = readFileSync(test, 'utf8');
    const broken = source.replace('499_500);', '499_501);');
    expect(broken).not.toBe(source);
    let before = watch.screen().length;
    writeFileSync(test, broken);
    const failedAfter = await watch.shown(ROUND_END, 2);
    let round = watch.screen().slice(before);
    expect(round).toMatch(/changed: kernel\/tests\/heap_basics\.rs/);
    expect(round).toMatch(/FAIL {2}kernel heap_basics/);
    // Only that kernel ran again.
    expect(round).not.toMatch(/kernel (no_alloc|heap_limits|alloc_error|test_allocator) \(/);
    expect(round).toMatch(/all 5 kernels: 4 passed, 1 did not \(kernel\/heap_basics\)/);

    // A build error is shown, and the watch goes on.
    before = watch.screen().length;
    writeFileSync(test, source.replace('fn vec_sum() -> TestResult {', 'fn vec_sum() -> TestResult {\n    let = ;'));
    await watch.shown(ROUND_END, 3);
    round = watch.screen().slice(before);
    expect(round).toMatch(/error: cargo test --no-run failed \(exit status 101\); its errors are above/);
    expect(round).toMatch(/error: expected pattern, found `=`/);

    before = watch.screen().length;
    writeFileSync(test, source);
    const passedAfter = await watch.shown(ROUND_END, 4);
    round = watch.screen().slice(before);
    expect(round).toMatch(/PASS {2}kernel heap_basics \(8 tests/);
    expect(round).not.toMatch(/kernel (no_alloc|heap_limits|alloc_error|test_allocator) \(/);
    expect(round).toMatch(/all 5 kernels: 5 passed; 18 passed, 0 failed/);
    console.log(`edit to report: ${failedAfter} ms (broken), ${passedAfter} ms (fixed)`);

    watch.type('q');
    const ended = await watch.term;
    expect(ended.stdout).toMatch(/exit: code=0 signal=none$/);
  });

  it('sees the fix of a first build that failed (no build has named the files that feed the kernels yet)', async () => {
    const test = join(fixtures, 'kernel', 'tests', 'heap_basics.rs');
    const source = readFileSync(test, 'utf8');
    writeFileSync(test, source.replace('fn vec_sum() -> TestResult {', 'fn vec_sum() -> TestResult {\n    let = ;'));
    const watch = watchInTerminal(['--features', 'global_alloc']);
    try {
      await watch.shown(ROUND_END);
      expect(watch.screen()).toMatch(/error: cargo test --no-run failed \(exit status 101\); its errors are above/);

      const before = watch.screen().length;
      writeFileSync(test, source);
      // Cargo rebuilds one test crate, then five kernels boot: well within a minute and a half.
      await watch.shown(ROUND_END, 2, 90_000);
      const round = watch.screen().slice(before);
      expect(round).toMatch(/changed: kernel\/tests\/heap_basics\.rs/);
      expect(round).toMatch(/PASS {2}kernel heap_basics \(8 tests/);
      expect(round).toMatch(/all 5 kernels: 5 passed; 18 passed, 0 failed/);

      watch.type('q');
      expect((await watch.term).stdout).toMatch(/exit: code=0 signal=none$/);
    } finally {
      writeFileSync(test, source);
      watch.term.kill();
    }
  }, 300_000);

  it('is a usage error without a terminal, saying why', async () => {
    const result = await alloc(['test', '--watch'], { cwd: fixtures });
    expect(result.stderr).toBe(
      'error: --watch reads keys (a: rerun all, f: rerun failed, q: quit) from a terminal, and stdin is not one; run it in a terminal, or drop --watch',
    );
    expect(result.exitCode).toBe(2);
  });
});
