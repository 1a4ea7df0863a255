import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readWorkspace, type CargoPackage, type CargoWorkspace } from '../build/cargo.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { bootimagePackages, bootimageReason, requireBootimage } from '../image/bootimage.js';
import { TestImages } from '../image/bootimage-cache.js';
import { executableKind } from '../image/kind.js';
import { isTestExecutable } from '../project/bootimage.js';
import { METADATA_TABLE, parsePackageConfig } from '../project/config.js';
import { runDefaults } from '../options/declare.js';
import { resolveRun } from '../options/resolve.js';
import type { KernelPlan } from '../run/kernel.js';
import { bootOneKernel } from '../run/one-kernel.js';
import { bootimagePlan, cargoKernelPlan, kernelFolders, runId } from '../run/plan.js';
import { uniqueIds } from '../run/select.js';
import { runForStatus } from '../subprocess.js';

/**
 * Cargo's target runner. Cargo calls it with every executable it would run for the target:
 * a kernel boots with alloc-runner's verdict (exit 0 only on a pass); anything else, such
 * as a host test binary of the same workspace, runs as it is, with its own exit status.
 */
export async function runnerCommand(executable: string, args: string[]): Promise<number> {
  const path = resolve(executable);
  const kind = await executableKind(path);
  // Cargo sets CARGO_MANIFEST_DIR to the package of the executable.
  const packageDir = process.env.CARGO_MANIFEST_DIR || undefined;
  if (kind === 'kernel') return bootKernel(path, async () => (packageDir === undefined ? undefined : readPackage(packageDir)));
  if (kind === 'elf' && packageDir && (await mayBeBootimageProject(packageDir))) {
    const cargo = await readPackage(packageDir);
    if (cargo.pkg && bootimagePackages([cargo.pkg]).size > 0) {
      // A kernel binary of a bootimage project runs interactively under bootimage, as `cargo run` would.
      if (!isTestExecutable(path)) return runNatively('bootimage', ['runner', path, ...args]);
      return bootKernel(path, async () => cargo);
    }
  }
  return runNatively(path, args);
}

/** A cheap look at Cargo.toml before asking cargo metadata: a host test run pays nothing for it. */
async function mayBeBootimageProject(packageDir: string): Promise<boolean> {
  const manifest = await readFile(join(packageDir, 'Cargo.toml'), 'utf8').catch(() => '');
  return /bootloader|metadata\.bootimage/.test(manifest);
}

/** The executable's package, as Cargo's CARGO_MANIFEST_DIR names it, and its workspace. */
interface CargoPackageOf {
  packageDir: string;
  workspace: CargoWorkspace;
  pkg?: CargoPackage;
}

async function readPackage(packageDir: string): Promise<CargoPackageOf> {
  const workspace = await readWorkspace(join(packageDir, 'Cargo.toml'));
  const manifest = resolve(packageDir, 'Cargo.toml');
  const pkg = [...workspace.packages.values()].find((candidate) => resolve(candidate.manifestPath) === manifest);
  return { packageDir, workspace, pkg };
}

/**
 * Boots one kernel as `alloc-runner run` does with no options (those after the executable are
 * the executable's), with its package's configuration (read while QEMU's version is checked),
 * and prints a short verdict.
 */
async function bootKernel(path: string, readCargo: () => Promise<CargoPackageOf | undefined>): Promise<ExitCodeValue> {
  const { qemu } = resolveRun(runDefaults());
  return bootOneKernel(qemu, async () => runnerPlan(path, await readCargo()), { screen: false });
}

/** The plan of a kernel Cargo built, as `test` would make it: its package's configuration, its disk image for bootimage projects. */
async function runnerPlan(path: string, cargo: CargoPackageOf | undefined): Promise<KernelPlan> {
  const pkg = cargo?.pkg;
  // Cargo names test executables `<target>-<hash>`.
  const name = basename(path).replace(/-[0-9a-f]{16}$/, '');
  const packageConfig = pkg ? parsePackageConfig(pkg.metadata?.['alloc-runner'], `${pkg.manifestPath}: ${METADATA_TABLE}`) : undefined;
  const artifactsRoot = join(cargo ? cargo.workspace.targetDirectory : dirname(path), 'alloc-runner', runId());
  // Cargo runs one executable at a time and does not say its target's kind: the id is `package/name`.
  const [id] = uniqueIds([{ name, package: pkg?.name }]);
  const named = { id: id!, name, package: pkg?.name };
  const where = { overrides: {}, artifactsDir: kernelFolders(artifactsRoot, [id!])[0]!, sourceRoot: cargo?.workspace.workspaceRoot };
  const bootimage = pkg && bootimagePackages([pkg]).get(pkg.id);
  if (!cargo || !bootimage) return cargoKernelPlan(named, path, packageConfig, where);
  requireBootimage(bootimageReason(bootimage.pkg));
  const image = await new TestImages(cargo.workspace.targetDirectory, cargo.workspace.workspaceRoot).make(path, cargo.packageDir, 0);
  return bootimagePlan(await cargoKernelPlan(named, image, packageConfig, where), path, bootimage.config, packageConfig, {});
}

/** Runs a host executable with the runner's stdio; its exit status, or 128 + the signal that ended it, as a shell gives. */
async function runNatively(program: string, args: string[]): Promise<number> {
  const { status } = await runForStatus(program, args, {
    stdin: 'inherit',
    stdout: 'inherit',
    stderr: 'inherit',
    exitCode: ExitCode.Usage,
    message: (failure) => `alloc-runner runner could not execute ${program}: ${failure.why}`,
  });
  return status;
}
