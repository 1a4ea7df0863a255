// One boot against a fake QEMU (test/support/fake-qemu.mjs) that speaks QMP and plays the
// guest's part: each QMP story the boot must tell apart, without QEMU or a kernel.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialCapture } from '../../src/capture/serial.js';
import { decodeVgaBuffer } from '../../src/capture/vga.js';
import { boot, type BootOptions } from '../../src/qemu/boot.js';
import { MAX_RESETS } from '../../src/qemu/guest-events.js';
import { Accelerator } from '../../src/qemu/accel.js';
import { DEFAULT_CONFIG } from '../../src/project/config.js';
import { runKernel } from '../../src/run/kernel.js';

const scratch = mkdtempSync(join(tmpdir(), 'boot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FAKE_QEMU = resolve(import.meta.dirname, '..', 'support', 'fake-qemu.mjs');

/** The first row of the screen QEMU was asked to save. */
const firstRow = ({ vgaBuffer }: { vgaBuffer?: Buffer }) => vgaBuffer && decodeVgaBuffer(vgaBuffer).rows[0]?.trim();

async function bootFake(scenario: string, options: Partial<BootOptions> & { decideOn?: string } = {}) {
  const dir = mkdtempSync(join(scratch, 'boot-'));
  const lines: string[] = [];
  const serial = new SerialCapture({ dir, onLine: (line) => lines.push(line) > 0 && line === options.decideOn });
  const result = await boot({
    qemu: FAKE_QEMU,
    image: join(dir, 'kernel.elf'),
    imageKind: 'multiboot',
    accel: [],
    extraArgs: ['-fake', scenario],
    timeoutSeconds: 10,
    artifactsDir: dir,
    serial,
    ...options,
  });
  return { ...result, lines, serial };
}

describe('one boot, against a fake QEMU', () => {
  it("is the kernel's exit, with its serial lines", async () => {
    const booted = await bootFake('exit:33');
    expect(booted.ending).toEqual({ kind: 'exited', status: 33 });
    expect(booted.lines).toEqual(['KTAP version 1', '1..1', 'ok 1 fake']);
    expect(booted.accelerator).toBe('tcg');
    expect(booted.noScreenReason).toMatch(/^the kernel exited without the screen handshake/);
  });

  it('reads the screen at the handshake, then answers it', async () => {
    const booted = await bootFake('handshake');
    expect(booted.ending).toEqual({ kind: 'exited', status: 33 });
    expect(booted.lines.at(-1)).toBe('# alloc-runner: handshake answered');
    expect(firstRow(booted)).toBe('fake screen');
    expect(readFileSync(booted.screenshot!, 'utf8')).toBe('not really a png');
  });

  it('reads the text screen but writes no vga.png at the handshake when the kernel says it is not wanted', async () => {
    const booted = await bootFake('handshake', { screenshotAtHandshake: () => false });
    expect(booted.lines.at(-1)).toBe('# alloc-runner: handshake answered');
    expect(firstRow(booted)).toBe('fake screen');
    expect(booted.screenshot).toBeUndefined();
    expect(booted.incompleteArtifacts).toEqual([]);
  });

  it('writes vga.png all the same where there is no text screen (UEFI)', async () => {
    const booted = await bootFake('handshake', { screenshotAtHandshake: () => false, firmware: 'uefi', ovmf: { code: '/dev/null', vars: '/dev/null' } });
    expect(readFileSync(booted.screenshot!, 'utf8')).toBe('not really a png');
  });

  it('a guest reset shutdown (a triple fault under -no-reboot) is a reset, screen read', async () => {
    const booted = await bootFake('shutdown:guest-reset');
    expect(booted.ending).toEqual({ kind: 'reset' });
    expect(firstRow(booted)).toBe('fake screen');
  });

  it("a guest's own shutdown is a shutdown, with its reason", async () => {
    expect((await bootFake('shutdown:guest-shutdown')).ending).toEqual({ kind: 'shutdown', reason: 'guest-shutdown' });
  });

  it(`${MAX_RESETS} resets are a reboot loop; fewer are not`, async () => {
    expect((await bootFake(`resets:${MAX_RESETS}`)).ending).toEqual({ kind: 'reboot-loop', resets: MAX_RESETS });
    expect((await bootFake(`resets:${MAX_RESETS - 1}`, { timeoutSeconds: 0.5 })).ending).toEqual({ kind: 'timeout', seconds: 0.5 });
  });

  it("a STOP with KVM's internal error is KVM's failure, named by QEMU's stderr", async () => {
    const booted = await bootFake('internal-error');
    expect(booted.ending).toEqual({ kind: 'kvm-failed', message: 'KVM stopped the guest with an internal error: KVM internal error. Suberror: 1' });
    expect(booted.qemuStderr).toBe('KVM internal error. Suberror: 1\nemulation failure');
  });

  it('a kernel that never ends is stopped at its timeout, its screen read', async () => {
    const booted = await bootFake('hang', { timeoutSeconds: 0.5 });
    expect(booted.ending).toEqual({ kind: 'timeout', seconds: 0.5 });
    expect(firstRow(booted)).toBe('fake screen');
  });

  it('a serial line that decides the run stops QEMU', async () => {
    const booted = await bootFake('print:Allocator works!', { decideOn: 'Allocator works!' });
    expect(booted.ending).toEqual({ kind: 'decided' });
    expect(firstRow(booted)).toBe('fake screen');
  });

  it('a screen that decides the run stops QEMU, read as long as it is watched', async () => {
    const seen: string[] = [];
    const watch = {
      screen: (vgaBuffer: Buffer) => seen.push(firstRow({ vgaBuffer })!) === 2,
      watchesScreen: true,
      pollMs: 10,
    };
    const booted = await bootFake('hang', { watch });
    expect(booted.ending).toEqual({ kind: 'decided' });
    expect(seen).toEqual(['fake screen', 'fake screen']);
  });

  it('QEMU killed by another process while the kernel ran is an error that says so', async () => {
    expect((await bootFake('killed')).ending).toEqual({
      kind: 'qemu-failed',
      message: 'QEMU was killed by SIGKILL while the kernel ran, not by alloc-runner (another process, or the out-of-memory killer)',
    });
  });

  it('QEMU quitting before it connects is an error with its stderr', async () => {
    const booted = await bootFake('quit-early');
    expect(booted.ending).toEqual({ kind: 'qemu-failed', message: 'QEMU exited with status 1 before the kernel started: fake-qemu: this machine cannot be made' });
    expect(booted.noScreenReason).toBe('QEMU ended before the screen could be read');
  });

  it('a QEMU that cannot be started is an error that names it', async () => {
    const booted = await bootFake('hang', { qemu: '/nonexistent/qemu-system-x86_64' });
    // Through setpriv (Linux), which starts but cannot run it; without setpriv, the spawn fails.
    expect(booted.ending).toMatchObject({ kind: 'qemu-failed', message: expect.stringContaining('/nonexistent/qemu-system-x86_64') });
  });
});

describe("one kernel's run, against a fake QEMU", () => {
  it('boots again with TCG after KVM failed, judging only the second boot: its observers start from nothing', async () => {
    const dir = mkdtempSync(join(scratch, 'kernel-'));
    const plan = {
      id: 'kvm-fails-once',
      name: 'kvm-fails-once',
      image: join(dir, 'kernel.elf'),
      imageKind: 'multiboot' as const,
      config: { ...DEFAULT_CONFIG, serialMatches: ['^not ok'] },
      artifactsDir: join(dir, 'artifacts'),
    };
    const result = await runKernel(plan, { qemu: FAKE_QEMU, accel: new Accelerator('auto'), extraQemuArgs: ['-fake', 'kvm-fails-once'] });
    expect(result.accelerator).toBe('tcg, after KVM failed (KVM stopped the guest with an internal error: KVM internal error. Suberror: 1)');
    expect(result.tests.map((test) => [test.name, test.status])).toEqual([['fake', 'pass']]);
    expect(result.lastSerialLines).toEqual(['KTAP version 1', '1..1', 'ok 1 fake']);
    // The first boot's `not ok` line matched the pattern; this boot printed none.
    expect(result).toMatchObject({ status: 'fail', reason: expect.stringContaining('^not ok') });
    expect(readFileSync(join(plan.artifactsDir, 'serial.kvm-failed.log'), 'utf8')).toBe('KTAP version 1\n1..1\nnot ok 1 fake\n');
    expect(readFileSync(join(plan.artifactsDir, 'qemu.stderr.kvm-failed.log'), 'utf8')).toBe('KVM internal error. Suberror: 1\nemulation failure\n');
    // The second QEMU printed nothing on stderr: no file for it.
    expect(result.artifacts.qemuStderr).toBeUndefined();
  });

  it("keeps what QEMU printed on stderr as qemu.stderr.log, and names it among the artifacts", async () => {
    const dir = mkdtempSync(join(scratch, 'kernel-'));
    const plan = { id: 'k', name: 'k', image: join(dir, 'kernel.elf'), imageKind: 'multiboot' as const, config: DEFAULT_CONFIG, artifactsDir: join(dir, 'artifacts') };
    const result = await runKernel(plan, { qemu: FAKE_QEMU, accel: new Accelerator('tcg'), extraQemuArgs: ['-fake', 'quit-early'] });
    expect(result.status).toBe('error');
    expect(result.artifacts.qemuStderr).toBe(join(plan.artifactsDir, 'qemu.stderr.log'));
    expect(readFileSync(result.artifacts.qemuStderr!, 'utf8')).toBe('fake-qemu: this machine cannot be made\n');
  });
});
