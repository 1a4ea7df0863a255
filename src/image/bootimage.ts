// Disk images of bootimage projects are made by the user's own bootimage tool, never by
// alloc-runner: the image is exactly the one `cargo test` / `cargo bootimage` would boot.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { CargoPackage } from '../build/cargo.js';
import { buildError, environmentError } from '../errors.js';
import { DEFAULT_QEMU, findExecutable } from '../environment.js';
import {
  BOOTIMAGE_TABLE,
  bootimageBoot,
  bootimagePath,
  isBootimageProject,
  isTestExecutable,
  parseBootimageConfig,
  parseCreatedImages,
  withBootimageDefaults,
  type BootimageConfig,
} from '../project/bootimage.js';
import { kernelConfig, type KernelConfig, type PackageConfig } from '../project/config.js';
import type { KernelPlan } from '../run/kernel.js';
import { detectImageKind } from './kind.js';

const execFileAsync = promisify(execFile);

/**
 * bootimage itself, and what it needs of the project's toolchain: nightly (bootloader 0.9
 * builds with -Zbuild-std), rust-src and llvm-tools-preview. Checked in the package's folder,
 * so that its rust-toolchain file counts. Says what to run for each missing part.
 */
export async function requireBootimage(packageDir: string, why: string): Promise<void> {
  const missing: string[] = [];
  if (!findExecutable('bootimage') || !findExecutable('cargo-bootimage')) {
    missing.push('the bootimage tool is not installed: run `cargo install bootimage`');
  }
  const [rustc, components] = await Promise.all([
    output('rustc', ['--version'], packageDir),
    output('rustup', ['component', 'list', '--installed'], packageDir),
  ]);
  if (rustc !== undefined && !rustc.includes('nightly')) {
    missing.push(`its toolchain is ${rustc.trim()}, but bootloader 0.9 builds only on nightly: run \`rustup override set nightly\` in ${packageDir} (or add a rust-toolchain.toml)`);
  }
  if (components !== undefined) {
    const absent = ['rust-src', 'llvm-tools'].filter((component) => !components.split('\n').some((line) => line.startsWith(component)));
    if (absent.length > 0) {
      const names = absent.map((component) => (component === 'llvm-tools' ? 'llvm-tools-preview' : component));
      missing.push(`the toolchain lacks ${names.join(' and ')}: run \`rustup component add ${names.join(' ')}\` in ${packageDir}`);
    }
  }
  if (missing.length > 0) {
    throw environmentError(`${why}, and alloc-runner boots such projects through the bootimage tool; but\n  - ${missing.join('\n  - ')}`);
  }
}

/** The trimmed output of a check, or undefined where the program is missing or fails (then nothing is claimed). */
async function output(program: string, args: string[], cwd: string): Promise<string | undefined> {
  if (!findExecutable(program)) return undefined;
  try {
    return (await execFileAsync(program, args, { cwd })).stdout;
  } catch {
    return undefined;
  }
}

/**
 * The disk image of a test executable, made as `cargo test` makes it: by `bootimage runner`,
 * which writes `bootimage-<name>.bin` beside the executable and then runs its run-command.
 * The `-version` it is given ends at once the QEMU that run-command starts: alloc-runner
 * boots the image itself.
 */
export async function makeTestImage(executable: string, packageDir: string): Promise<string> {
  const image = bootimagePath(executable);
  const started = Date.now();
  const result = await run('bootimage', ['runner', executable, '-version'], packageDir, { CARGO_MANIFEST_DIR: packageDir });
  const made = await stat(image).then((file) => file.mtimeMs >= started - 1000, () => false);
  if (!made) {
    throw buildError(`bootimage runner did not make ${image} for ${executable}:\n${result.trim()}`);
  }
  return image;
}

/** The disk images of the kernel binaries, made by `cargo bootimage` with Cargo's selection arguments. */
export async function makeBinaryImages(cargoArgs: string[], cwd: string): Promise<Map<string, string>> {
  const result = await run('cargo', ['bootimage', ...cargoArgs], cwd, {});
  const images = parseCreatedImages(result);
  if (images.size === 0) throw buildError(`cargo bootimage made no image:\n${result.trim()}`);
  return images;
}

async function run(program: string, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(program, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    // `bootimage runner` exits non-zero when QEMU's -version status is not its success code: the image decides.
    if (program === 'bootimage' && failure.stdout !== undefined) return `${failure.stdout}${failure.stderr ?? ''}`;
    throw buildError(`${program} ${args.join(' ')} failed:\n${(failure.stderr || failure.stdout || failure.message).trim()}`);
  }
}

/** The bootimage packages of a workspace, with their settings read (a bad table is an error before anything is built). */
export function bootimagePackages(packages: Iterable<CargoPackage>): Map<string, { pkg: CargoPackage; config: BootimageConfig }> {
  const found = new Map<string, { pkg: CargoPackage; config: BootimageConfig }>();
  for (const pkg of packages) {
    if (!isBootimageProject(pkg)) continue;
    found.set(pkg.id, { pkg, config: parseBootimageConfig(pkg.metadata?.bootimage, `${pkg.manifestPath}: ${BOOTIMAGE_TABLE}`) });
  }
  return found;
}

/** Why alloc-runner takes these packages for bootimage projects, for the error that says what is missing. */
export function bootimageReason(pkg: CargoPackage): string {
  const marks = [pkg.metadata?.bootimage !== undefined && `has [${BOOTIMAGE_TABLE}]`, pkg.dependencies.includes('bootloader') && 'depends on bootloader'];
  return `${pkg.name} (${pkg.manifestPath}) ${marks.filter(Boolean).join(' and ')}: it is a bootimage project`;
}

/**
 * A bootimage project's kernel: its disk image booted with bootimage's settings (run-command,
 * test-args or run-args, test-timeout, test-success-exit-code, test-no-reboot) under the
 * package's own `[package.metadata.alloc-runner]`.
 */
export async function bootimagePlan(
  plan: KernelPlan,
  bootimage: BootimageConfig,
  packageConfig: PackageConfig | undefined,
  overrides: Partial<KernelConfig>,
  image: string,
): Promise<KernelPlan> {
  const boot = bootimageBoot(bootimage, image, isTestExecutable(plan.image));
  const own = packageConfig ?? { defaults: {}, kernels: new Map() };
  return {
    ...plan,
    image,
    imageKind: await detectImageKind(image),
    config: kernelConfig(withBootimageDefaults(own, boot), plan.name, overrides),
    qemu: boot.qemu === DEFAULT_QEMU ? undefined : boot.qemu,
    overrides: { bootArgs: boot.bootArgs, allowReboot: boot.allowReboot },
  };
}
