#!/usr/bin/env node
// alloc-runner against bootimage on a real blog_os post-12 (../shared/blog_os/setup.sh DEST,
// then ALLOC_RUNNER_BLOG_OS=DEST): bootimage's own `cargo test` and `alloc-runner test` in
// one run, on a copy of blog_os sharing one Cargo target folder, Cargo warm for every timed
// run. Prints medians and the ratios to bootimage's time, and exits 1, saying which, when a
// target is missed: the warm full run at most 0.5x bootimage's, the --cache run with nothing
// changed at most 0.25x, and after one test file changed only its kernel's image made again
// and only that kernel booted.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SETUP = process.env.ALLOC_RUNNER_BLOG_OS;
if (!SETUP) {
  console.error('error: set ALLOC_RUNNER_BLOG_OS to the DEST of ../shared/blog_os/setup.sh DEST (a blog_os post-12 with its toolchain)');
  process.exit(4);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WORK = join(tmpdir(), 'alloc-runner-bench-blog-os');
const COPY = join(WORK, 'blog_os');
const TARGET = join(WORK, 'target');
const IMAGES = join(TARGET, 'alloc-runner', 'images');
const RESULTS = join(TARGET, 'alloc-runner', 'cache');
const CHANGED = join(COPY, 'tests', 'heap_allocation.rs');

// A copy with the set-up project's timestamps, so that Cargo stays warm from one bench to the next.
rmSync(COPY, { recursive: true, force: true });
mkdirSync(COPY, { recursive: true });
for (const entry of readdirSync(join(SETUP, 'blog_os')).filter((name) => name !== 'target')) {
  cpSync(join(SETUP, 'blog_os', entry), join(COPY, entry), { recursive: true, preserveTimestamps: true });
}
// The file this bench changes, newer than the last build: Cargo then rebuilds it unchanged,
// where a previous bench left the changed one built. Passes remembered by a previous bench
// (the changed kernel's among them) are forgotten, so that --cache boots what changed.
const now = new Date();
utimesSync(CHANGED, now, now);
rmSync(RESULTS, { recursive: true, force: true });

/** A command in the copy with DEST/env.sh sourced, as a user runs it; its stdout. */
function inCopy(command) {
  return execFileSync('bash', ['-c', '. "$0/env.sh" && exec "$@"', SETUP, ...command], {
    cwd: COPY,
    env: { ...process.env, CARGO_TARGET_DIR: TARGET, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'ignore'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

const bootimage = () => inCopy(['cargo', 'test']);
/** `alloc-runner test` with a JSON report on stdout; returns that report. */
const allocRunner = (...args) => JSON.parse(inCopy(['node', join(ROOT, 'bin', 'alloc-runner.js'), 'test', '--reporter', 'json', ...args]));

function seconds(run) {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const measure = (before, run) => median(Array.from({ length: ROUNDS }, () => (before(), seconds(run))));
const nothing = () => {};
const noImages = () => rmSync(IMAGES, { recursive: true, force: true });
const imageTimes = () => new Map((existsSync(IMAGES) ? readdirSync(IMAGES) : []).map((file) => [file, statSync(join(IMAGES, file)).mtimeMs]));

// Warm-up, untimed: everything compiled, bootimage's and alloc-runner's bootloader folders built.
bootimage();
const first = allocRunner();
if (first.totals.failed !== 0 || first.kernels.length !== 6) throw new Error('alloc-runner test did not pass blog_os\'s 6 kernels');

const reference = measure(nothing, bootimage);
const fresh = measure(noImages, () => allocRunner());
const reused = measure(nothing, () => allocRunner());
allocRunner('--cache'); // remembers the six passes
const cached = measure(nothing, () => allocRunner('--cache'));

// One test file changed (a line added: its executable's bytes change), then a run with --cache.
const before = imageTimes();
writeFileSync(CHANGED, `// changed by bench-bootimage\n${readFileSync(CHANGED, 'utf8')}`);
let changedReport;
const changed = seconds(() => (changedReport = allocRunner('--cache')));
const after = imageTimes();
const rebuilt = [...after.keys()].filter((entry) => before.get(entry) !== after.get(entry)).map((entry) => entry.replace(/-[0-9a-f]{16}\..*$/, ''));
const booted = changedReport.kernels.filter((kernel) => !kernel.cached).map((kernel) => kernel.id);

const line = (label, value, target) => `${label.padEnd(64)} ${value.toFixed(2).padStart(6)} s   ${(value / reference).toFixed(2)}x bootimage${target ? ` (target <= ${target}x)` : ''}`;
const versions = inCopy(['bash', '-c', 'rustc --version; cargo --version; bootimage --version; qemu-system-x86_64 --version | head -1']).trim().split('\n');
console.log(`blog_os post-12, 6 test kernels, 12 tests; medians of ${ROUNDS} rounds; Cargo warm in every timed run`);
console.log(`toolchain: ${versions.join('; ')}`);
console.log(line("bootimage's cargo test", reference));
console.log(line('alloc-runner test, every image made again (--jobs default)', fresh));
console.log(line('alloc-runner test, warm full run: images reused, all 6 booted', reused, 0.5));
console.log(line('alloc-runner test --cache, second run with nothing changed', cached, 0.25));
console.log(line('alloc-runner test --cache after tests/heap_allocation.rs changed', changed));
console.log(`  images rebuilt: ${rebuilt.join(', ') || 'none'}; kernels booted: ${booted.join(', ') || 'none'} (want heap_allocation only)`);

const missed = [
  reused / reference > 0.5 && `the warm full run took ${(reused / reference).toFixed(2)}x bootimage's time (target <= 0.5x)`,
  cached / reference > 0.25 && `the --cache run with nothing changed took ${(cached / reference).toFixed(2)}x bootimage's time (target <= 0.25x)`,
  rebuilt.join() !== 'heap_allocation' && `after tests/heap_allocation.rs changed, the images made again were ${rebuilt.join(', ') || 'none'} (want heap_allocation only)`,
  booted.join() !== 'blog_os/heap_allocation' && `after tests/heap_allocation.rs changed, the kernels booted were ${booted.join(', ') || 'none'} (want blog_os/heap_allocation only)`,
].filter(Boolean);
for (const target of missed) console.log(`target missed: ${target}`);
if (missed.length > 0) process.exit(1);
