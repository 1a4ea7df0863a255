import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { findExecutable, QEMU_INSTALL_HINT } from '../environment.js';
import { kvmUsable } from '../qemu/accel.js';
import { isRecentEnough, MIN_QEMU_VERSION, parseQemuVersion } from '../qemu/version.js';

interface Check {
  name: string;
  /** Needed for `alloc-runner test`; the others only for some boot paths. */
  required: boolean;
  run: () => Promise<{ ok: boolean; detail: string }>;
}

async function versionOf(binary: string, args = ['--version']): Promise<string | undefined> {
  if (!findExecutable(binary)) return undefined;
  const result = await execa(binary, args, { reject: false });
  return String(result.stdout || result.stderr).split('\n')[0]?.trim();
}

function tool(name: string, binary: string, hint: string, required = true): Check {
  return {
    name,
    required,
    run: async () => {
      const version = await versionOf(binary);
      return version ? { ok: true, detail: version } : { ok: false, detail: `not found; ${hint}` };
    },
  };
}

function checks(qemu: string): Check[] {
  return [
    { name: 'node', required: true, run: async () => ({ ok: Number(process.versions.node.split('.')[0]) >= 20, detail: `v${process.versions.node} (20 or newer needed)` }) },
    tool('cargo', 'cargo', 'install Rust with rustup (https://rustup.rs)'),
    tool('rustc', 'rustc', 'install Rust with rustup (https://rustup.rs)'),
    {
      name: 'qemu',
      required: true,
      run: async () => {
        const version = await versionOf(qemu);
        if (!version) return { ok: false, detail: `${qemu} not found; ${QEMU_INSTALL_HINT}` };
        const recent = isRecentEnough(parseQemuVersion(version) ?? [0, 0]);
        return { ok: recent, detail: recent ? version : `${version}: too old, QEMU ${MIN_QEMU_VERSION.join('.')} or newer is needed; ${QEMU_INSTALL_HINT}` };
      },
    },
    {
      name: 'kvm',
      required: false,
      run: async () =>
        kvmUsable()
          ? { ok: true, detail: '/dev/kvm is usable: kernels run with -accel kvm' }
          : {
              ok: false,
              detail: existsSync('/sys/module/kvm_pvm')
                ? 'this KVM is PVM (kvm_pvm), which cannot emulate the SSE instructions Rust kernels use: kernels run under TCG'
                : '/dev/kvm is not usable: kernels run under TCG (slower). Enable virtualisation, or add yourself to the kvm group',
            },
    },
    tool('grub-mkrescue', 'grub-mkrescue', 'needed for ISO images: sudo apt-get install grub-pc-bin grub-common xorriso mtools', false),
    tool('xorriso', 'xorriso', 'needed for ISO images: sudo apt-get install xorriso', false),
  ];
}

export async function doctorCommand(options: { qemu: string }): Promise<ExitCodeValue> {
  let missing = false;
  for (const check of checks(options.qemu)) {
    const { ok, detail } = await check.run();
    const mark = ok ? 'ok     ' : check.required ? 'MISSING' : 'note   ';
    process.stdout.write(`${mark} ${check.name.padEnd(14)} ${detail}\n`);
    if (!ok && check.required) missing = true;
  }
  return missing ? ExitCode.Environment : ExitCode.Passed;
}
