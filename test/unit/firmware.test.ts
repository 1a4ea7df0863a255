import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { FIRMWARE_LOG, firmwareArgs, requireOvmf } from '../../src/qemu/firmware.js';
import { qemuArgs } from '../../src/qemu/args.js';
import { requireGrubEfi } from '../../src/image/grub.js';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'alloc-runner-firmware-test-'));
}

function thrown(run: () => unknown): Error & { exitCode?: number } {
  try {
    run();
  } catch (error) {
    return error as Error & { exitCode?: number };
  }
  throw new Error('nothing was thrown');
}

describe('finding OVMF', () => {
  it('takes the first installed pair of code and variables', () => {
    const dir = folder();
    writeFileSync(join(dir, 'CODE.fd'), 'code');
    writeFileSync(join(dir, 'VARS.fd'), 'vars');
    const locations = [
      { code: join(dir, 'CODE_4M.fd'), vars: join(dir, 'VARS_4M.fd') },
      { code: join(dir, 'CODE.fd'), vars: join(dir, 'VARS.fd') },
    ];
    expect(requireOvmf({}, locations)).toEqual(locations[1]);
  });

  it('is an environment error naming the ovmf package when none is installed', () => {
    const error = thrown(() => requireOvmf({}, [{ code: '/nonexistent/OVMF_CODE.fd', vars: '/nonexistent/OVMF_VARS.fd' }]));
    expect(error.exitCode).toBe(ExitCode.Environment);
    expect(error.message).toMatch(/package ovmf/);
    expect(error.message).toContain('sudo apt-get install ovmf');
    expect(error.message).toContain('--ovmf-code and --ovmf-vars');
  });

  it('takes --ovmf-code and --ovmf-vars together, and says which given file is missing', () => {
    const dir = folder();
    writeFileSync(join(dir, 'c.fd'), 'code');
    writeFileSync(join(dir, 'v.fd'), 'vars');
    expect(requireOvmf({ code: join(dir, 'c.fd'), vars: join(dir, 'v.fd') }, [])).toEqual({ code: join(dir, 'c.fd'), vars: join(dir, 'v.fd') });
    expect(thrown(() => requireOvmf({ code: join(dir, 'c.fd') }, [])).exitCode).toBe(ExitCode.Usage);
    const missing = thrown(() => requireOvmf({ code: join(dir, 'c.fd'), vars: join(dir, 'nope.fd') }, []));
    expect(missing.exitCode).toBe(ExitCode.Environment);
    expect(missing.message).toContain(`--ovmf-vars ${join(dir, 'nope.fd')}: no such file`);
  });
});

describe("UEFI's QEMU arguments", () => {
  it('are none for SeaBIOS, QEMU\'s default', async () => {
    expect(await firmwareArgs('bios', undefined, '/unused', '/unused')).toEqual([]);
  });

  it('boot OVMF from read-only code and a private copy of the variables, its debug port logged', async () => {
    const dir = folder();
    const template = join(dir, 'VARS.fd');
    writeFileSync(template, 'template');
    const privateDir = folder();
    const args = await firmwareArgs('uefi', { code: join(dir, 'CODE,1.fd'), vars: template }, privateDir, '/artifacts/k');
    expect(args).toEqual([
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${join(dir, 'CODE,,1.fd')}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${join(privateDir, 'ovmf-vars.fd')}`,
      '-debugcon', `file:/artifacts/k/${FIRMWARE_LOG}`,
      '-global', 'isa-debugcon.iobase=0x402',
    ]);
    expect(readFileSync(join(privateDir, 'ovmf-vars.fd'), 'utf8')).toBe('template');
  });

  it('come before the image, so that the boot arguments follow the firmware', () => {
    const args = qemuArgs({ image: '/k.iso', kind: 'iso', qmpSocket: '/s', accel: [], extraArgs: [], firmwareArgs: ['-drive', 'if=pflash'] });
    expect(args.indexOf('if=pflash')).toBeLessThan(args.indexOf('format=raw,media=cdrom,file=/k.iso'));
  });
});

describe("GRUB's UEFI files", () => {
  it('missing, are an environment error naming grub-efi-amd64-bin', () => {
    const error = thrown(() => requireGrubEfi({ programs: {}, platformDir: '/nonexistent/grub/i386-pc' }));
    expect(error.exitCode).toBe(ExitCode.Environment);
    expect(error.message).toContain('sudo apt-get install grub-efi-amd64-bin');
    expect(error.message).toContain('/nonexistent/grub/x86_64-efi/multiboot.mod');
  });
});
