// Faults from outside the kernel, each run through the real CLI and real QEMU: signals to
// alloc-runner, QEMU killed, QEMU failing to start or never connecting, two runs at once, a
// deep TMPDIR. Whatever happens, the runner reports, keeps the artifacts and leaves no QEMU
// process and no temporary folder behind.
import { execSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { alloc, misbehavingKernels, qemuProcessesWith, waitForOutput } from './helpers.js';


let images: Map<string, string>;
let scratch: string;

beforeAll(async () => {
  images = await misbehavingKernels();
  // Short, so that sockets made under it fit; each test takes a folder of its own inside.
  scratch = mkdtempSync('/tmp/faults-');
});

// A test that fails must not leave its QEMU running either.
afterEach(() => {
  for (const line of qemuProcessesWith(scratch)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const image = (name: string) => {
  const found = images.get(name);
  if (!found) throw new Error(`no misbehaving kernel ${name}`);
  return found;
};

let folders = 0;
/** A fresh folder with a TMPDIR inside it, to be found empty after the run. */
function workspace() {
  const dir = join(scratch, String(++folders));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return { dir, tmp, report: join(dir, 'report.json'), artifacts: join(dir, 'artifacts') };
}

/** A copy of a kernel under another name, so that its QEMU can be told apart. */
function copyKernel(name: string, dir: string, as: string): string {
  const path = join(dir, as);
  copyFileSync(image(name), path);
  return path;
}


function readReport(path: string): JsonReport {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonReport;
}

/** A script standing in for QEMU: it answers --version like QEMU 7.2 (noting each ask in `asked`) and otherwise runs `body`. */
function fakeQemu(dir: string, body: string): string {
  const path = join(dir, 'fake-qemu');
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = --version ]; then echo asked >> ${join(dir, 'asked')}; echo "QEMU emulator version 7.2.0"; exit 0; fi\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('an interrupted run', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`on ${signal}: stops every QEMU, reports what finished, keeps the artifacts, removes its temporary folders and exits ${code}`, async () => {
      const ws = workspace();
      // Kernels run in the order of their ids: `done` first, then the hanging ones.
      const kernels = [copyKernel('no_handshake', ws.dir, 'done'), ...['a', 'b', 'c'].map((name) => copyKernel('hang', ws.dir, `hang-${name}`))];
      const run = alloc(
        ['test', ...kernels.flatMap((kernel) => ['--kernel', kernel]), '--jobs', '2', '--timeout', '60', '--verbose', '--reporter', 'default', '--reporter', 'json', '--output-file', `json=${ws.report}`, '--artifacts-dir', ws.artifacts],
        { env: { TMPDIR: ws.tmp } },
      );
      // no_handshake has passed and two hanging kernels are running: hang-c waits for a slot.
      await waitForOutput(run, run.stderr, /\[hang-[ab]\] 1\.\.1/, 2);
      expect(readdirSync(ws.tmp)).toHaveLength(2); // each running QEMU's private folder
      const sent = Date.now();
      run.kill(signal);
      const result = await run;
      expect(Date.now() - sent).toBeLessThan(5000);

      expect(result.exitCode, result.all).toBe(code);
      expect(result.stderr).toContain(`${signal}: 1 of 4 kernels were not started; exiting with ${code}`);
      expect(result.stdout).toMatch(/^PASS {2}done/m);
      expect(result.stdout).toMatch(/^INTERRUPTED hang-a/m);
      expect(result.stdout).toMatch(/^INTERRUPTED hang-b/m);
      expect(result.stdout).not.toContain('hang-c');

      const report = readReport(ws.report);
      expect(report.kernels.map((kernel) => [kernel.name, kernel.status])).toEqual([
        ['done', 'pass'],
        ['hang-a', 'interrupted'],
        ['hang-b', 'interrupted'],
      ]);
      for (const kernel of report.kernels) expect(readFileSync(kernel.artifacts.serialLog, 'utf8')).toContain('KTAP version 1');
      expect(report.kernels[1]!.reason).toBe('alloc-runner was interrupted while the kernel ran; QEMU was stopped');

      expect(qemuProcessesWith(ws.dir)).toEqual([]);
      expect(readdirSync(ws.tmp)).toEqual([]);
    });
  }

  it('on a second Ctrl-C, quits at once even when a report cannot be written, still leaving nothing behind', async () => {
    const ws = workspace();
    // A FIFO nobody reads: writing the JSON report blocks forever.
    execSync(`mkfifo ${ws.report}`);
    const kernels = ['a', 'b'].map((name) => copyKernel('hang', ws.dir, `hang-${name}`));
    const run = alloc(
      ['test', ...kernels.flatMap((kernel) => ['--kernel', kernel]), '--jobs', '2', '--verbose', '--reporter', 'json', '--output-file', `json=${ws.report}`, '--artifacts-dir', ws.artifacts],
      { env: { TMPDIR: ws.tmp } },
    );
    await waitForOutput(run, run.stderr, /\[hang-[ab]\] 1\.\.1/, 2);
    run.kill('SIGINT');
    await waitForOutput(run, run.stderr, /Press Ctrl-C again to quit at once/);
    await new Promise((resolve) => setTimeout(resolve, 300)); // now stuck on the FIFO
    expect(() => process.kill(run.pid!, 0)).not.toThrow(); // still there
    run.kill('SIGINT');
    const result = await run;
    // The second Ctrl-C ends alloc-runner by the signal itself: a shell shows 130.
    expect(result.signal, result.all).toBe('SIGINT');
    expect(qemuProcessesWith(ws.dir)).toEqual([]);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  it('on SIGKILL, which no process can catch, still takes QEMU down with it (parent-death signal); the next run removes its folder', async () => {
    const ws = workspace();
    const kernel = copyKernel('hang', ws.dir, 'hang-killed');
    const run = alloc(['test', '--kernel', kernel, '--verbose', '--artifacts-dir', ws.artifacts], { env: { TMPDIR: ws.tmp } });
    await waitForOutput(run, run.stderr, /\[hang-killed\] 1\.\.1/);
    expect(qemuProcessesWith(kernel)).toHaveLength(1);
    run.kill('SIGKILL');
    await run;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(qemuProcessesWith(kernel)).toEqual([]);
    // Its private folder outlived it; the next run removes it, its owner being dead.
    expect(readdirSync(ws.tmp)).toEqual([expect.stringMatching(new RegExp(`^alloc-runner-${run.pid}-`))]);
    const next = await alloc(['test', '--kernel', copyKernel('no_handshake', ws.dir, 'no_handshake')], { env: { TMPDIR: ws.tmp } });
    expect(next.exitCode, next.all).toBe(0);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });
});

describe('QEMU failing', () => {
  it('killed from outside during a run: that kernel gets a clear error, the others go on', async () => {
    const ws = workspace();
    const victim = copyKernel('hang', ws.dir, 'victim');
    const bystander = copyKernel('hang', ws.dir, 'bystander');
    const run = alloc(
      ['test', '--kernel', victim, '--kernel', bystander, '--kernel', copyKernel('no_handshake', ws.dir, 'no_handshake'), '--jobs', '3', '--timeout', '4', '--verbose', '--reporter', 'json', '--output-file', `json=${ws.report}`],
      { env: { TMPDIR: ws.tmp } },
    );
    await waitForOutput(run, run.stderr, /\[(victim|bystander)\] 1\.\.1/, 2);
    const [line] = qemuProcessesWith(victim);
    execSync(`kill -9 ${line!.split(' ')[0]}`);
    const result = await run;

    expect(result.exitCode, result.all).toBe(1);
    const kernels = new Map(readReport(ws.report).kernels.map((kernel) => [kernel.name, kernel]));
    expect(kernels.get('victim')).toMatchObject({
      status: 'error',
      reason: 'QEMU could not run the kernel: QEMU was killed by SIGKILL while the kernel ran, not by alloc-runner (another process, or the out-of-memory killer)',
    });
    expect(kernels.get('victim')!.lastSerialLines).toEqual(['KTAP version 1', '1..1']);
    expect(kernels.get('bystander')).toMatchObject({ status: 'hang', reason: expect.stringContaining('no exit within 4 s') });
    expect(kernels.get('no_handshake')!.status).toBe('pass');
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  it.each([
    ['a bad argument', ['-device', 'nonexistent'], "QEMU exited with status 1 before the kernel started: qemu-system-x86_64: -device nonexistent: 'nonexistent' is not a valid device model name"],
    ['missing firmware', ['-bios', '/nonexistent'], "QEMU exited with status 1 before the kernel started: qemu: could not load PC BIOS '/nonexistent'"],
  ])('failing to start (%s): each kernel gets an error with what QEMU printed', async (_what, qemuArgs, reason) => {
    const ws = workspace();
    const result = await alloc(
      ['test', '--kernel', image('no_handshake'), '--kernel', image('panic'), ...qemuArgs.flatMap((arg) => ['--qemu-arg', arg]), '--reporter', 'json', '--output-file', `json=${ws.report}`],
      { env: { TMPDIR: ws.tmp } },
    );
    expect(result.exitCode, result.all).toBe(1);
    for (const kernel of readReport(ws.report).kernels) {
      expect(kernel.status).toBe('error');
      expect(kernel.reason).toBe(`QEMU could not run the kernel: ${reason}`);
    }
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  it("asks QEMU's --version only of a QEMU that failed to start, once a run", async () => {
    const ws = workspace();
    const asked = join(ws.dir, 'asked');
    const qemu = fakeQemu(ws.dir, 'exec qemu-system-x86_64 "$@"');
    const booted = await alloc(['test', '--qemu', qemu, '--kernel', image('no_handshake'), '--artifacts-dir', ws.artifacts], { env: { TMPDIR: ws.tmp } });
    expect(booted.exitCode, booted.all).toBe(0);
    expect(existsSync(asked)).toBe(false);

    const failed = await alloc(['test', '--qemu', qemu, '--kernel', image('no_handshake'), '--kernel', image('panic'), '--qemu-arg', '-device', '--qemu-arg', 'nonexistent', '--artifacts-dir', ws.artifacts], { env: { TMPDIR: ws.tmp } });
    expect(failed.exitCode, failed.all).toBe(1);
    expect(failed.stdout).toContain("'nonexistent' is not a valid device model name");
    expect(readFileSync(asked, 'utf8')).toBe('asked\n');
  });

  it('failing to start for one kernel only: that kernel gets the error, the others go on', async () => {
    const ws = workspace();
    const victim = copyKernel('no_handshake', ws.dir, 'victim');
    const qemu = fakeQemu(ws.dir, `case "$*" in *victim*) echo "fake-qemu: this one will not start" >&2; exit 3;; esac\nexec qemu-system-x86_64 "$@"`);
    const result = await alloc(['test', '--qemu', qemu, '--kernel', victim, '--kernel', copyKernel('no_handshake', ws.dir, 'no_handshake'), '--reporter', 'json', '--output-file', `json=${ws.report}`], {
      env: { TMPDIR: ws.tmp },
    });
    expect(result.exitCode, result.all).toBe(1);
    const [passed, failed] = readReport(ws.report).kernels; // in the order of their ids
    expect(failed).toMatchObject({ status: 'error', reason: 'QEMU could not run the kernel: QEMU exited with status 3 before the kernel started: fake-qemu: this one will not start' });
    expect(readFileSync(failed!.artifacts.qemuStderr!, 'utf8')).toBe('fake-qemu: this one will not start\n');
    expect(passed).toMatchObject({ name: 'no_handshake', status: 'pass' });
  });

  it('never connecting to the QMP socket: an error after the connect timeout, the others go on', async () => {
    const ws = workspace();
    const victim = copyKernel('no_handshake', ws.dir, 'victim');
    // Ignores -chardev and sleeps: QEMU that never connects.
    const qemu = fakeQemu(ws.dir, `case "$*" in *victim*) exec sleep 30;; esac\nexec qemu-system-x86_64 "$@"`);
    const started = Date.now();
    const result = await alloc(['test', '--qemu', qemu, '--kernel', victim, '--kernel', image('no_handshake'), '--reporter', 'json', '--output-file', `json=${ws.report}`], {
      env: { TMPDIR: ws.tmp, ALLOC_RUNNER_QMP_CONNECT_TIMEOUT: '1' },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.exitCode, result.all).toBe(1);
    const [passed, failed] = readReport(ws.report).kernels; // in the order of their ids
    expect(failed).toMatchObject({
      status: 'error',
      reason: 'QEMU could not run the kernel: QEMU did not connect to the QMP socket within 1000 ms; QEMU was stopped (it printed nothing on stderr)',
    });
    expect(passed!.status).toBe('pass');
    expect(execSync('pgrep -a sleep || true', { encoding: 'utf8' })).not.toMatch(/sleep 30$/m);
    expect(readdirSync(ws.tmp)).toEqual([]);
  });
});

describe('where runs keep their files', () => {
  it('two runs in the same project at once keep apart artifacts and sockets', async () => {
    const ws = workspace();
    const children = [1, 2].map(() => alloc(['test', '--features', 'global_alloc'], { env: { TMPDIR: ws.tmp } }));
    const pids = children.map((child) => child.pid);
    const runs = await Promise.all(children);
    const roots = runs.map((run) => {
      expect(run.exitCode, run.all).toBe(0);
      return /^Artifacts: (.+)$/m.exec(run.stdout)![1]!;
    });
    expect(roots[0]).not.toBe(roots[1]);
    for (const [index, root] of roots.entries()) {
      expect(root.endsWith(`-${pids[index]}`)).toBe(true); // the run id ends with the pid
      const kernels = readdirSync(join(root, 'kernel'));
      expect(kernels.length).toBeGreaterThanOrEqual(5);
      for (const kernel of kernels) {
        const log = readFileSync(join(root, 'kernel', kernel, 'serial.log'), 'utf8');
        // One boot each, never interleaved; test_allocator prints no KTAP and never exits.
        expect(log).toMatch(kernel === 'test_allocator' ? /^allocate_example: .*\nheap: .*\nAllocator works!\n$/ : /^KTAP version 1\n1\.\.\d+\n/);
      }
    }
    expect(readdirSync(ws.tmp)).toEqual([]);
  });

  it('a TMPDIR too deep for a Unix socket path: the QMP socket goes to a short private folder under /tmp', async () => {
    const ws = workspace();
    const deep = join(ws.tmp, ...Array.from({ length: 12 }, () => 'a-rather-deep-folder'));
    mkdirSync(deep, { recursive: true });
    expect(Buffer.byteLength(join(deep, 'alloc-runner-4194304-XXXXXX', 'qmp.sock'))).toBeGreaterThan(107);
    const result = await alloc(['test', '--kernel', image('no_handshake'), '--reporter', 'json', '--output-file', `json=${ws.report}`], { env: { TMPDIR: deep } });
    expect(result.exitCode, result.all).toBe(0);
    expect(readReport(ws.report).kernels[0]!.status).toBe('pass');
    expect(readdirSync(deep)).toEqual([]);
  });
});

describe('security', () => {
  it('keeps the QMP socket in a folder only the user can enter (0700), and removes it', async () => {
    const ws = workspace();
    // Reports the mode of the socket's folder, as QEMU would find it, then fails.
    const qemu = fakeQemu(ws.dir, `socket=$(printf '%s\\n' "$@" | sed -n 's/^socket,id=alloc-runner-qmp,path=//p')\necho "folder $(dirname "$socket") mode $(stat -c %a "$(dirname "$socket")")" >&2\nexit 1`);
    const result = await alloc(['test', '--qemu', qemu, '--kernel', image('no_handshake'), '--reporter', 'json', '--output-file', `json=${ws.report}`], { env: { TMPDIR: ws.tmp } });
    expect(result.exitCode, result.all).toBe(1);
    const reason = readReport(ws.report).kernels[0]!.reason!;
    const [, folder, mode] = /folder (\S+) mode (\d+)/.exec(reason) ?? [];
    expect(mode, reason).toBe('700');
    expect(folder!.startsWith(`${ws.tmp}/alloc-runner-`)).toBe(true);
    expect(existsSync(folder!)).toBe(false);
  });

  it('starts QEMU without a shell and keeps artifacts inside their folder, whatever the kernel is called', async () => {
    const ws = workspace();
    const name = 'k,a b;$(touch pwned1) `touch pwned2`; ..';
    const kernel = copyKernel('no_handshake', ws.dir, name);
    const result = await alloc(['test', '--kernel', kernel, '--artifacts-dir', ws.artifacts, '--reporter', 'json', '--output-file', `json=${ws.report}`], { cwd: ws.dir, env: { TMPDIR: ws.tmp } });
    expect(result.exitCode, result.all).toBe(0);
    expect(readdirSync(ws.dir).filter((file) => file.startsWith('pwned'))).toEqual([]);
    const [passed] = readReport(ws.report).kernels;
    expect(passed).toMatchObject({ name, status: 'pass' });
    const folder = relative(ws.artifacts, passed!.artifacts.dir).split(sep);
    expect(folder).toHaveLength(2); // <run id>/<kernel>
    expect(folder[1]).toBe('k_a_b___touch_pwned1___touch_pwned2___..');
  });
});
