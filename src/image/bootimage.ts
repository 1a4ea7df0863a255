// Disk images of bootimage projects are made by the user's own bootimage tool, never by
// alloc-runner: the image is exactly the one `cargo test` / `cargo bootimage` would boot.
import { stat } from 'node:fs/promises';
import type { CargoPackage } from '../build/cargo.js';
import { buildError, environmentError, ExitCode, type RunnerError } from '../errors.js';
import { findExecutable } from '../environment.js';
import { CommandError, runForStatus, runChecked } from '../subprocess.js';
import { BOOTIMAGE_TABLE, bootimagePath, isBootimageProject, parseBootimageConfig, parseCreatedImages, type BootimageConfig } from '../project/bootimage.js';

/**
 * The bootimage tool, which makes the disk images. What it needs of the toolchain (nightly
 * features, rust-src, llvm-tools) is for Cargo and bootimage to say: `explainToolchainError`
 * turns their errors into advice.
 */
export function requireBootimage(why: string): void {
  if (!findExecutable('bootimage') || !findExecutable('cargo-bootimage')) {
    throw environmentError(`${why}, and alloc-runner boots such projects through the bootimage tool, which is not installed: run \`cargo install bootimage\``);
  }
}

/** What Cargo, rustc, bootloader's build script and bootimage print when the toolchain lacks a part, and what to do. */
const TOOLCHAIN_ADVICE: Array<{ says: RegExp; advice: string }> = [
  {
    says: /only accepted on the nightly|only available on the nightly|requires a nightly/,
    advice:
      'the compiler is not a nightly one, and bootloader 0.9 builds with nightly features (-Z build-std): run `rustup override set nightly` in the project (or add a rust-toolchain.toml); a toolchain without rustup needs RUSTC_BOOTSTRAP=1',
  },
  {
    says: /unable to build with the standard library|component add rust-src/,
    advice: 'the toolchain lacks the standard library\'s source, which -Z build-std compiles: run `rustup component add rust-src`',
  },
  {
    says: /llvm-tools[^\n]*(not found|missing)|(Could not|Failed to) (find|locate)[^\n]*llvm-tools/i,
    advice: 'the toolchain lacks llvm-tools, which bootloader 0.9 and bootimage use: run `rustup component add llvm-tools-preview`',
  },
];

/**
 * The error to report when `output` (Cargo's or bootimage's) says the toolchain lacks what
 * bootimage projects need; `quote` adds the output (when the user has not seen it).
 */
export function explainToolchainError(output: string, quote = false): RunnerError | undefined {
  const advice = TOOLCHAIN_ADVICE.filter(({ says }) => says.test(output)).map(({ advice }) => advice);
  if (advice.length === 0) return undefined;
  const seen = quote ? `:\n${output.trim()}\n` : ' (the errors are above):\n';
  return environmentError(`this bootimage project cannot be built with this toolchain${seen}  - ${advice.join('\n  - ')}`);
}

/**
 * The disk image of a test executable, made as `cargo test` makes it: by `bootimage runner`,
 * which writes `bootimage-<name>.bin` beside the executable and then runs its run-command.
 * The `-version` it is given ends at once the QEMU that run-command starts: alloc-runner
 * boots the image itself. `env` may move the bootloader's build folder (CARGO_TARGET_DIR).
 */
export async function makeTestImage(executable: string, packageDir: string, env: Record<string, string> = {}): Promise<string> {
  const image = bootimagePath(executable);
  const started = Date.now();
  // `bootimage runner` exits non-zero when QEMU's -version status is not its success code: the image decides.
  const { stdout, stderr } = await runForStatus('bootimage', ['runner', executable, '-version'], {
    cwd: packageDir,
    env: { CARGO_MANIFEST_DIR: packageDir, ...env },
    exitCode: ExitCode.BuildFailed,
  });
  const result = `${stdout}${stderr}`;
  const made = await stat(image).then((file) => file.mtimeMs >= started - 1000, () => false);
  if (!made) {
    throw explainToolchainError(result, true) ?? buildError(`bootimage runner did not make ${image} for ${executable}:\n${result.trim()}`);
  }
  return image;
}

/** The disk images of the kernel binaries, made by `cargo bootimage` with Cargo's selection arguments. */
export async function makeBinaryImages(cargoArgs: string[], cwd: string): Promise<Map<string, string>> {
  const args = ['bootimage', ...cargoArgs];
  let result: string;
  try {
    const { stdout, stderr } = await runChecked('cargo', args, {
      cwd,
      exitCode: ExitCode.BuildFailed,
      message: (failure) => `cargo ${args.join(' ')} failed:\n${(failure.stderr || failure.stdout || failure.why).trim()}`,
    });
    result = `${stdout}${stderr}`;
  } catch (error) {
    throw (error instanceof CommandError && explainToolchainError(`${error.stdout}${error.stderr}`, true)) || error;
  }
  const images = parseCreatedImages(result);
  if (images.size === 0) throw buildError(`cargo bootimage made no image:\n${result.trim()}`);
  return images;
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
