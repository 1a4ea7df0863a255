import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { DoctorOptions } from '../options/declare.js';
import { findExecutable, QEMU_INSTALL_HINT } from '../environment.js';
import { runForStatus } from '../subprocess.js';
import { kvmIsPvm, kvmUsable } from '../qemu/accel.js';
import { requireGrubEfi, requireGrubTools, type GrubImageKind } from '../image/grub.js';
import { requireOvmf } from '../qemu/firmware.js';
import { GDB_INSTALL_HINT } from '../qemu/gdb.js';
import { isRecentEnough, MIN_QEMU_VERSION, parseQemuVersion } from '../qemu/version.js';

interface Check {
  name: string;
  /** Needed for `alloc-runner test`; the others only for some boot paths. */
  required: boolean;
  run: () => Promise<{ ok: boolean; detail: string }>;
}

async function versionOf(binary: string, args = ['--version']): Promise<string | undefined> {
  if (!findExecutable(binary)) return undefined;
  const result = await runForStatus(binary, args, { exitCode: ExitCode.Environment }).catch(() => undefined);
  return (result?.stdout || result?.stderr)?.split('\n')[0]?.trim();
}

function tool(name: string, binary: string, hint: string): Check {
  return {
    name,
    required: true,
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
              detail: kvmIsPvm()
                ? 'this KVM is PVM (kvm_pvm), which cannot emulate the SSE instructions Rust kernels use: kernels run under TCG'
                : '/dev/kvm is not usable: kernels run under TCG (slower). Enable virtualisation, or add yourself to the kvm group',
            },
    },
    grubImages('iso'),
    grubImages('disk'),
    {
      name: 'OVMF (UEFI)',
      required: false,
      run: async () => outcomeOf(() => {
        const ovmf = requireOvmf();
        return `${ovmf.code}, ${ovmf.vars}: --firmware uefi works`;
      }),
    },
    {
      name: 'GRUB UEFI ISO',
      required: false,
      run: async () => outcomeOf(() => `${requireGrubEfi(requireGrubTools('iso')).efiPlatformDir}: --boot iso --firmware uefi works`),
    },
    debuggerCheck(),
  ];
}

/** A check made by the code the commands use: its result, or the error they would give. */
function outcomeOf(check: () => string): { ok: boolean; detail: string } {
  try {
    return { ok: true, detail: check() };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/** gdb, for `--gdb` (rust-gdb, its wrapper with Rust's pretty-printers, where installed too). */
function debuggerCheck(): Check {
  return {
    name: 'gdb',
    required: false,
    run: async () => {
      const version = await versionOf('gdb');
      if (!version) return { ok: false, detail: `not found: --gdb still waits for a debugger, but attaching needs one; ${GDB_INSTALL_HINT}` };
      return { ok: true, detail: findExecutable('rust-gdb') ? `${version}; rust-gdb too` : version };
    },
  };
}

/** Whether `--boot`/`build --image` of that kind can work: the same check those commands make. */
function grubImages(kind: GrubImageKind): Check {
  return {
    name: `GRUB ${kind} images`,
    required: false,
    run: async () =>
      outcomeOf(() => {
        const { programs, platformDir } = requireGrubTools(kind);
        return `${Object.keys(programs).join(', ')}; ${platformDir}`;
      }),
  };
}

export async function doctorCommand(options: DoctorOptions): Promise<ExitCodeValue> {
  let missing = false;
  for (const check of checks(options.qemu)) {
    const { ok, detail } = await check.run();
    const mark = ok ? 'ok     ' : check.required ? 'MISSING' : 'note   ';
    process.stdout.write(`${mark} ${check.name.padEnd(16)} ${detail}\n`);
    if (!ok && check.required) missing = true;
  }
  return missing ? ExitCode.Environment : ExitCode.Passed;
}
