import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import chalk from 'chalk';
import { readWorkspace, type CargoWorkspace } from '../build/cargo.js';
import { checkArtifactsFolder, checkTempFolder } from '../check/places.js';
import { defaultQemu, requireQemu } from '../environment.js';
import { usageError } from '../errors.js';
import { bootimagePackages, bootimagePlan, bootimageReason, requireBootimage } from '../image/bootimage.js';
import { TestImages } from '../image/bootimage-cache.js';
import { executableKind } from '../image/kind.js';
import { isTestExecutable } from '../project/bootimage.js';
import { METADATA_TABLE, parsePackageConfig } from '../project/config.js';
import { Accelerator } from '../qemu/accel.js';
import { runKernel, type KernelPlan } from '../run/kernel.js';
import { cargoKernelPlan, checkBootable, kernelFolders, runId } from '../run/plan.js';
import { uniqueIds } from '../run/select.js';
import { requireOvmf } from '../qemu/firmware.js';
import { renderReport } from '../report/terminal.js';
import { decideOutcome } from '../verdict/outcome.js';

/**
 * Cargo's target runner. Cargo calls it with every executable it would run for the target:
 * a kernel boots with alloc-runner's verdict (exit 0 only on a pass); anything else, such
 * as a host test binary of the same workspace, runs as it is, with its own exit status.
 */
export async function runnerCommand(executable: string, args: string[]): Promise<number> {
  const path = resolve(executable);
  const kind = await executableKind(path);
  // Cargo sets CARGO_MANIFEST_DIR to the package of the executable.
  const packageDir = process.env.CARGO_MANIFEST_DIR;
  if (kind === 'kernel') return bootKernel(path, packageDir ? await readWorkspace(join(packageDir, 'Cargo.toml')) : undefined, packageDir);
  if (kind === 'elf' && packageDir && (await mayBeBootimageProject(packageDir))) {
    const workspace = await readWorkspace(join(packageDir, 'Cargo.toml'));
    const pkg = packageIn(workspace, packageDir);
    if (pkg && bootimagePackages([pkg]).size > 0) {
      // A kernel binary of a bootimage project runs interactively under bootimage, as `cargo run` would.
      if (!isTestExecutable(path)) return runNatively('bootimage', ['runner', path, ...args]);
      return bootKernel(path, workspace, packageDir);
    }
  }
  return runNatively(path, args);
}

/** A cheap look at Cargo.toml before asking cargo metadata: a host test run pays nothing for it. */
async function mayBeBootimageProject(packageDir: string): Promise<boolean> {
  const manifest = await readFile(join(packageDir, 'Cargo.toml'), 'utf8').catch(() => '');
  return /bootloader|metadata\.bootimage/.test(manifest);
}

function packageIn(workspace: CargoWorkspace, packageDir: string) {
  const manifest = resolve(packageDir, 'Cargo.toml');
  return [...workspace.packages.values()].find((pkg) => resolve(pkg.manifestPath) === manifest);
}

/** Boots one kernel as `alloc-runner run` does, with the package's configuration, and prints a short verdict. */
async function bootKernel(path: string, workspace: CargoWorkspace | undefined, packageDir: string | undefined): Promise<number> {
  const qemu = requireQemu(defaultQemu());
  checkTempFolder();
  const pkg = workspace && packageDir ? packageIn(workspace, packageDir) : undefined;
  // Cargo names test executables `<target>-<hash>`.
  const name = basename(path).replace(/-[0-9a-f]{16}$/, '');
  const packageConfig = pkg ? parsePackageConfig(pkg.metadata?.['alloc-runner'], `${pkg.manifestPath}: ${METADATA_TABLE}`) : undefined;
  const artifactsRoot = join(workspace ? workspace.targetDirectory : dirname(path), 'alloc-runner', runId());
  // Cargo runs one executable at a time and does not say its target's kind: the id is `package/name`.
  const [id] = uniqueIds([{ name, package: pkg?.name }]);
  const named = { id: id!, name, package: pkg?.name };
  const where = { overrides: {}, artifactsDir: kernelFolders(artifactsRoot, [id!])[0]!, sourceRoot: workspace?.workspaceRoot };
  const bootimage = pkg && bootimagePackages([pkg]).get(pkg.id);
  let plan: KernelPlan;
  if (bootimage && packageDir && workspace) {
    requireBootimage(bootimageReason(bootimage.pkg));
    const image = await new TestImages(workspace.targetDirectory, workspace.workspaceRoot).make(path, packageDir, 0);
    plan = bootimagePlan(await cargoKernelPlan(named, image, packageConfig, where), path, bootimage.config, packageConfig, {});
  } else {
    plan = await cargoKernelPlan(named, path, packageConfig, where);
  }
  await checkBootable([plan]);

  await checkArtifactsFolder(plan.artifactsDir, []);
  const result = await runKernel(plan, {
    qemu,
    accel: new Accelerator('auto'),
    extraQemuArgs: [],
    ovmf: plan.config.firmware === 'uefi' ? requireOvmf() : undefined,
    onLine: (_kernel, line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${renderReport([result], chalk, { verbose: false })}\nArtifacts: ${plan.artifactsDir}\n`);
  return decideOutcome([result]).exitCode;
}

/** Runs a host executable with the runner's stdio; its exit status, or 128 + the signal that ended it, as a shell gives. */
async function runNatively(program: string, args: string[]): Promise<number> {
  const child = spawn(program, args, { stdio: 'inherit' });
  const [code, signal] = (await Promise.race([
    once(child, 'exit'),
    once(child, 'error').then(([error]) => {
      throw usageError(`alloc-runner runner could not execute ${program}: ${(error as Error).message}`);
    }),
  ])) as [number | null, NodeJS.Signals | null];
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}
