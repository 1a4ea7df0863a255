// UEFI firmware (OVMF) end to end: the bundled suite through a hybrid GRUB ISO, prebuilt ISO
// and GPT disk images, a private variable store per boot, and the refusals (BIOS-only
// images, a UEFI-only disk under BIOS, no OVMF, no text screen).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { FIRMWARE_LOG, requireOvmf } from '../../src/qemu/firmware.js';
import type { JsonReport } from '../../src/report/json.js';
import { makeUefiDiskImage } from '../support/uefi-disk.js';
import { alloc, FIXTURES } from './helpers.js';

/** Each kernel's verdict and each test's, by kernel name without Cargo's hash. */
function verdicts(report: JsonReport) {
  return Object.fromEntries(
    report.kernels.map((kernel) => [
      kernel.name.replace(/-[0-9a-f]{16}$/, ''),
      { status: kernel.status, tests: kernel.tests.map((test) => `${test.number} ${test.name}: ${test.status}`) },
    ]),
  );
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The variable store a QEMU command boots OVMF with (pflash unit 1). */
function varsDrive(command: string[]): string {
  const drive = command.find((arg) => arg.startsWith('if=pflash,format=raw,unit=1,'));
  if (!drive) throw new Error(`no OVMF variable store in ${command.join(' ')}`);
  return drive.replace(/^.*file=/, '');
}

describe('the bundled suite under UEFI firmware (OVMF)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'uefi-'));
  const temp = join(dir, 'tmp');
  let bios: JsonReport;
  let uefi: JsonReport;
  const template = requireOvmf().vars;
  const templateHash = sha256(template);
  /** A kernel's prebuilt image, from the BIOS run. */
  const image = (name: string) => bios.kernels.find((kernel) => kernel.name.replace(/-[0-9a-f]{16}$/, '') === name)!.image;
  /** Prebuilt images under UEFI firmware, with their own TMPDIR (the variable stores' checks read it): the JSON report. */
  const uefiTest = async (name: string, files: string[], options: string[]) => {
    const out = join(dir, `${name}.json`);
    const run = await alloc(
      ['test', ...files.flatMap((file) => ['--kernel', file]), '--firmware', 'uefi', '--timeout', '180', ...options,
        '--artifacts-dir', join(dir, name), '--reporter', 'json', '--output-file', `json=${out}`],
      { env: { TMPDIR: temp } },
    );
    expect(run.exitCode, run.all).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  };

  beforeAll(async () => {
    const biosOut = join(dir, 'bios.json');
    const biosRun = await alloc(['test', '--features', 'global_alloc', '--reporter', 'json', '--output-file', `json=${biosOut}`]);
    expect(biosRun.exitCode, biosRun.all).toBe(0);
    bios = JSON.parse(readFileSync(biosOut, 'utf8')) as JsonReport;
    // The prebuilt kernels, so that the package's VGA expectations (BIOS-only) do not apply.
    mkdirSync(temp);
    // Two at a time (OVMF under TCG takes seconds, more on a busy machine): each boot writes its store.
    // test_allocator never exits; under BIOS it passes on its screen, here on the same words on serial.
    const [tests, seed] = await Promise.all([
      uefiTest('tests', ['heap_basics', 'heap_limits', 'alloc_error', 'no_alloc'].map(image), ['--boot', 'iso', '--jobs', '2']),
      uefiTest('seed', [image('test_allocator')], ['--boot', 'iso', '--pass-when-serial', '^Allocator works!$']),
    ]);
    uefi = { ...tests, kernels: [...tests.kernels, ...seed.kernels] };
  });

  it('passes through a UEFI GRUB ISO with the verdicts it has under BIOS, the VGA text test skipped', () => {
    const expected = verdicts(bios);
    expect(Object.keys(expected).sort()).toEqual(['alloc_error', 'heap_basics', 'heap_limits', 'no_alloc', 'test_allocator']);
    // The one test that reads back the VGA text buffer finds the display in a graphics mode.
    expected.no_alloc!.tests[1] = '2 serial_and_vga_output: skip';
    expect(verdicts(uefi)).toEqual(expected);
    const skipped = uefi.kernels.find((kernel) => kernel.name.startsWith('no_alloc'))!.tests[1]!;
    expect(skipped.reason).toMatch(/no VGA text screen/);
  });

  it('boots each with OVMF from a read-only code image and its own copy of the variable store', () => {
    const stores = uefi.kernels.map((kernel) => varsDrive(kernel.qemuCommand));
    expect(new Set(stores).size).toBe(uefi.kernels.length);
    for (const [index, kernel] of uefi.kernels.entries()) {
      const command = kernel.qemuCommand.join(' ');
      expect(command).toMatch(/if=pflash,format=raw,unit=0,readonly=on,file=\S*OVMF_CODE/);
      expect(command).toContain('media=cdrom');
      // In the boot's private folder, removed after the boot; the template is never written.
      expect(stores[index]!.startsWith(temp)).toBe(true);
      expect(existsSync(stores[index]!)).toBe(false);
    }
    expect(sha256(template)).toBe(templateHash);
  });

  it("keeps vga.png and OVMF's debug output, and says there is no text screen", () => {
    for (const kernel of uefi.kernels) {
      expect(kernel.noScreenReason).toMatch(/no VGA text screen under UEFI firmware/);
      expect(kernel.screenText).toBeUndefined();
      expect(statSync(kernel.artifacts.screenshot!).size).toBeGreaterThan(0);
      expect(kernel.artifacts.firmwareLog).toBe(join(kernel.artifacts.dir, FIRMWARE_LOG));
      expect(existsSync(kernel.artifacts.firmwareLog!)).toBe(true);
    }
  });

  it('made hybrid ISOs: the same image passes under SeaBIOS too', async () => {
    // (test_allocator would need its pass-when condition: the test kernels are enough.)
    const isos = uefi.kernels.filter((kernel) => !kernel.name.startsWith('test_allocator')).map((kernel) => kernel.image);
    const run = await alloc(['test', ...isos.flatMap((iso) => ['--kernel', iso]), '--reporter', 'json', '--artifacts-dir', join(dir, 'hybrid')]);
    expect(run.exitCode, run.all).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.kernels).toHaveLength(4);
    expect(report.kernels.every((kernel) => kernel.status === 'pass' && kernel.image.endsWith('boot.iso'))).toBe(true);
  });

  it('boots a prebuilt hybrid ISO with --kernel ISO --firmware uefi, with the verdict it has under BIOS', async () => {
    const iso = uefi.kernels.find((kernel) => kernel.name.startsWith('heap_limits'))!.image;
    expect(iso).toMatch(/boot\.iso$/);
    const report = await uefiTest('prebuilt-iso', [iso], []);
    expect(report.kernels[0]!.qemuCommand.join(' ')).toContain('media=cdrom');
    expect(Object.values(verdicts(report))).toEqual([verdicts(bios).heap_limits]);
  });

  describe('a UEFI disk image (GPT with an EFI system partition, as bootloader 0.11 makes)', () => {
    const disk = join(dir, 'uefi-disk.img');
    beforeAll(() => makeUefiDiskImage(image('heap_basics'), disk));

    it('boots with --kernel DISK --firmware uefi, with the verdicts it has under BIOS', async () => {
      const report = await uefiTest('uefi-disk', [disk], []);
      expect(report.kernels[0]!.qemuCommand.join(' ')).toContain(`format=raw,file=${disk}`);
      expect(Object.values(verdicts(report))).toEqual([verdicts(bios).heap_basics]);
    });

    it('is refused under --firmware bios with the reason: no BIOS boot code', async () => {
      const run = await alloc(['test', '--kernel', disk, '--firmware', 'bios']);
      expect(run.exitCode, run.all).toBe(ExitCode.Usage);
      expect(run.stderr).toContain(`error: ${disk} has no BIOS boot code (the first 440 bytes of its boot sector are zero), as a UEFI-only disk image has. Boot it with --firmware uefi`);
    });
  });
});

describe('what UEFI firmware cannot boot, refused with the reason', () => {
  let kernel: string;
  const dir = mkdtempSync(join(tmpdir(), 'uefi-refused-'));

  beforeAll(async () => {
    const run = await alloc(['test', '--features', 'global_alloc', '--filter-kernel', 'no_alloc', '--reporter', 'json']);
    expect(run.exitCode, run.all).toBe(0);
    kernel = (JSON.parse(run.stdout) as JsonReport).kernels[0]!.image;
  });

  it('a BIOS-only disk image', async () => {
    const disk = join(dir, 'bios-only.img');
    const made = await alloc(['build', '--image', 'disk', '--kernel', kernel, '-o', disk]);
    expect(made.exitCode, made.all).toBe(0);
    const run = await alloc(['test', '--kernel', disk, '--firmware', 'uefi']);
    expect(run.exitCode, run.all).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(`error: ${disk} is a BIOS-only disk image (an MBR partition table without an EFI system partition), so UEFI firmware cannot boot it.`);
  });

  it('a Multiboot kernel with -kernel, and a GRUB disk image made for it', async () => {
    const direct = await alloc(['test', '--kernel', kernel, '--firmware', 'uefi']);
    expect(direct.exitCode, direct.all).toBe(ExitCode.Usage);
    expect(direct.stderr).toMatch(/is a Multiboot kernel, which UEFI firmware cannot boot with -kernel .*--boot iso/);
    const disk = await alloc(['test', '--kernel', kernel, '--firmware', 'uefi', '--boot', 'disk']);
    expect(disk.exitCode, disk.all).toBe(ExitCode.Usage);
    expect(disk.stderr).toContain('--boot disk makes a BIOS-only MBR disk image');
  });

  it('screen expectations, which need the VGA text screen UEFI does not leave', async () => {
    const run = await alloc(['test', '--features', 'global_alloc', '--firmware', 'uefi', '--boot', 'iso'], { cwd: FIXTURES });
    expect(run.exitCode, run.all).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(/error: kernel \w+: vga-contains is set, but it boots with UEFI firmware \(--firmware uefi\), where there is no VGA text screen to read/);
  });
});

// Hides every OVMF location in a private mount namespace (root only), as on a machine without the package.
const canHideOvmf = await execa('unshare', ['-m', 'true'], { reject: false }).then((run) => run.exitCode === 0, () => false);

describe('without OVMF', () => {
  it.skipIf(!canHideOvmf)('--firmware uefi is the environment error naming the ovmf package, before anything is built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-ovmf-'));
    const hide = ['/usr/share/OVMF', '/usr/share/ovmf', '/usr/share/edk2', '/usr/share/edk2-ovmf']
      .filter((folder) => existsSync(folder))
      .map((folder) => `mount --bind ${empty} ${folder}`)
      .join(' && ');
    const run = await execa('unshare', ['-m', 'sh', '-c', `${hide} && exec node bin/alloc-runner.js test --features global_alloc --firmware uefi --boot iso`], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(run.exitCode, run.stderr).toBe(ExitCode.Environment);
    expect(run.stderr).toMatch(/^error: UEFI firmware \(OVMF, package ovmf\) was not found in .*sudo apt-get install ovmf/m);
    expect(run.stderr).not.toMatch(/Compiling|Finished/);
    const doctor = await execa('unshare', ['-m', 'sh', '-c', `${hide} && exec node bin/alloc-runner.js doctor`], { reject: false, env: { NO_COLOR: '1' } });
    expect(doctor.stdout).toMatch(/^note +OVMF \(UEFI\) +UEFI firmware \(OVMF, package ovmf\) was not found/m);
  });
});
