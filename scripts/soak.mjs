#!/usr/bin/env node
// Soak: runs the bundled suite through the CLI many times in a row and reports failures,
// leaked QEMU processes, leaked temporary files and alloc-runner's peak memory. Every run
// gets a private TMPDIR, so what is left in it afterwards is this soak's own leak.
//
//   npm run soak                      50 runs of `alloc-runner test --features global_alloc`
//   node scripts/soak.mjs --runs 10   fewer runs
//   node scripts/soak.mjs -- ARGS     other `alloc-runner test` arguments
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'alloc-runner.js');

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 50;
if (!(Number.isInteger(runs) && runs > 0)) throw new Error('--runs expects a whole number of 1 or more');
const testArgs = dashes >= 0 ? argv.slice(dashes + 1) : ['--features', 'global_alloc'];
// Short, under /tmp: the QMP sockets are made inside it.
const temp = mkdtempSync('/tmp/soak-');

/** QEMU processes started by this soak: their QMP socket path is under `temp`. */
function ourQemus() {
  try {
    return execFileSync('pgrep', ['-a', '-f', 'qemu-system'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(temp));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Runs the CLI once, sampling its peak resident memory (VmHWM) until it exits. */
function runOnce() {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, 'test', ...testArgs], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: temp, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    let peakKb = 0;
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // exited between two samples: the last sample stands
      }
    };
    const sampler = setInterval(sample, 10);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      done({ code, signal, output, peakKb, ms: Date.now() - started });
    });
  });
}

const failures = [];
const peaks = [];
const durations = [];
let leakedQemu = 0;
let leakedFiles = 0;
process.stdout.write(`soak: ${runs} runs of alloc-runner test ${testArgs.join(' ')} (TMPDIR=${temp})\n`);
for (let run = 1; run <= runs; run++) {
  const result = await runOnce();
  peaks.push(result.peakKb);
  durations.push(result.ms);
  const closing = /^\d+ passed, 0 failed/m.test(result.output);
  if (result.code !== 0 || !closing) failures.push({ run, code: result.code, signal: result.signal, output: result.output.slice(-2000) });
  const qemus = ourQemus();
  const files = readdirSync(temp).filter((name) => name.startsWith('alloc-runner-'));
  leakedQemu += qemus.length;
  leakedFiles += files.length;
  for (const line of qemus) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  for (const name of files) rmSync(join(temp, name), { recursive: true, force: true });
  if (run % 10 === 0 || run === runs) {
    process.stdout.write(`  ${run}/${runs}: ${failures.length} failed, ${leakedQemu} QEMU leaked, ${leakedFiles} temp files leaked\n`);
  }
}
rmSync(temp, { recursive: true, force: true });

const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];
for (const failure of failures) process.stdout.write(`\nrun ${failure.run} failed (exit ${failure.code ?? failure.signal}):\n${failure.output}\n`);
process.stdout.write(
  [
    '',
    `runs:                    ${runs}`,
    `failures:                ${failures.length}`,
    `leaked QEMU processes:   ${leakedQemu}`,
    `leaked temp files/dirs:  ${leakedFiles} (alloc-runner-* in TMPDIR)`,
    `peak RSS of alloc-runner: ${mib(Math.max(...peaks))} (median of the runs' peaks ${mib(median(peaks))})`,
    `wall time per run:       median ${median(durations)} ms, slowest ${Math.max(...durations)} ms`,
    '',
  ].join('\n'),
);
process.exitCode = failures.length === 0 && leakedQemu === 0 && leakedFiles === 0 ? 0 : 1;
