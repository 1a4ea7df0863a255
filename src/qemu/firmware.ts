import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentError, usageError } from '../errors.js';
import type { Firmware } from '../model.js';
import { escapeOption } from './args.js';

/** OVMF as two flash images: the code (read-only) and the template of its variable store. */
export interface Ovmf {
  code: string;
  vars: string;
}

/**
 * Where distributions put OVMF, best first. Code and variables come in matching pairs (a
 * 4 MiB code image needs the 4 MiB store). Secure-boot builds are left out: they refuse
 * unsigned bootloaders such as the GRUB images alloc-runner makes.
 */
export const OVMF_LOCATIONS: Ovmf[] = [
  // Debian 12 and Ubuntu 22.04+ (ovmf)
  { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' },
  // older Debian and Ubuntu (ovmf)
  { code: '/usr/share/OVMF/OVMF_CODE.fd', vars: '/usr/share/OVMF/OVMF_VARS.fd' },
  // Fedora (edk2-ovmf)
  { code: '/usr/share/edk2/ovmf/OVMF_CODE.fd', vars: '/usr/share/edk2/ovmf/OVMF_VARS.fd' },
  // Arch (edk2-ovmf)
  { code: '/usr/share/edk2/x64/OVMF_CODE.4m.fd', vars: '/usr/share/edk2/x64/OVMF_VARS.4m.fd' },
  { code: '/usr/share/edk2-ovmf/x64/OVMF_CODE.fd', vars: '/usr/share/edk2-ovmf/x64/OVMF_VARS.fd' },
];

export const OVMF_INSTALL_HINT =
  'install it: on Debian or Ubuntu `sudo apt-get install ovmf`, on Fedora `sudo dnf install edk2-ovmf`, on Arch `sudo pacman -S edk2-ovmf`';

/** OVMF's files: the ones given (`--ovmf-code` and `--ovmf-vars`, both), else the first pair installed, else an environment error naming the package. */
export function requireOvmf(given: Partial<Ovmf> = {}, locations = OVMF_LOCATIONS): Ovmf {
  if (given.code !== undefined || given.vars !== undefined) {
    if (given.code === undefined || given.vars === undefined) {
      throw usageError('--ovmf-code and --ovmf-vars go together: give both (a code image and the variable store made for it), or neither');
    }
    for (const [option, file] of [['--ovmf-code', given.code], ['--ovmf-vars', given.vars]] as const) {
      if (!existsSync(file)) throw environmentError(`${option} ${file}: no such file; give the path of an OVMF image, or leave the option out to use the ovmf package's`);
    }
    return { code: given.code, vars: given.vars };
  }
  const found = locations.find((pair) => existsSync(pair.code) && existsSync(pair.vars));
  if (!found) {
    throw environmentError(
      `UEFI firmware (OVMF, package ovmf) was not found in ${[...new Set(locations.map((pair) => pair.code.replace(/\/[^/]*$/, '')))].join(', ')}; ` +
        `${OVMF_INSTALL_HINT}, or give its files with --ovmf-code and --ovmf-vars.`,
    );
  }
  return found;
}

/** OVMF's own debug output (port 0x402), kept beside serial.log: it explains a kernel that never starts. */
export const FIRMWARE_LOG = 'firmware.log';

/**
 * QEMU's firmware arguments for one boot. Under UEFI, OVMF's code is a read-only flash
 * drive and its variable store a copy made for this boot in the boot's private folder, so
 * kernels booting at once never share or corrupt one store, and the template is never
 * written.
 */
export async function firmwareArgs(firmware: Firmware, ovmf: Ovmf | undefined, privateDir: string, artifactsDir: string): Promise<string[]> {
  if (firmware === 'bios') return [];
  if (!ovmf) throw new Error('a UEFI boot needs OVMF: requireOvmf() first');
  const vars = join(privateDir, 'ovmf-vars.fd');
  await copyFile(ovmf.vars, vars);
  return [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${escapeOption(ovmf.code)}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${escapeOption(vars)}`,
    // The legacy `file:` form takes the rest of the value as the path, commas included.
    '-debugcon', `file:${join(artifactsDir, FIRMWARE_LOG)}`,
    '-global', 'isa-debugcon.iobase=0x402',
  ];
}
