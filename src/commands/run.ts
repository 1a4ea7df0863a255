import { basename, join, resolve } from 'node:path';
import chalk from 'chalk';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import { requireQemu } from '../environment.js';
import { Accelerator } from '../qemu/accel.js';
import { detectImageKind } from '../image/kind.js';
import { locateManifest } from '../project/locate.js';
import { kernelConfig, METADATA_TABLE, parsePackageConfig } from '../project/config.js';
import { buildKernels, readWorkspace } from '../build/cargo.js';
import { runKernel, type KernelPlan } from '../run/kernel.js';
import { renderReport } from '../report/terminal.js';
import { screenAnsi } from '../capture/vga.js';
import type { TestOptions } from './test.js';
import { runId, safeName } from './test.js';

export interface RunOptions extends Omit<TestOptions, 'jobs' | 'reporter' | 'outputFile' | 'verbose'> {
  bin?: string;
}

/** Boots one kernel (the crate's binary, or --kernel FILE), its serial live, its screen at the end. */
export async function runCommand(options: RunOptions): Promise<ExitCodeValue> {
  const qemu = requireQemu(options.qemu);
  const accel = new Accelerator(options.accel);
  const plan = await planOne(options);
  const result = await runKernel(plan, {
    qemu,
    accel,
    extraQemuArgs: options.qemuArg,
    onLine: (_kernel, line) => process.stdout.write(`${line}\n`),
  });
  const ansiScreen = chalk.level > 0 ? () => result.screen && screenAnsi(result.screen) : undefined;
  process.stdout.write(`\n${renderReport([result], chalk, { verbose: false, ansiScreen })}\n`);
  if (result.status === 'pass' && result.screenText !== undefined) {
    process.stdout.write(`VGA screen:\n${(ansiScreen?.() ?? result.screenText) || '(blank)'}\n`);
  }
  process.stdout.write(`Artifacts: ${plan.artifactsDir}\n`);
  return result.status === 'pass' ? ExitCode.Passed : ExitCode.TestsFailed;
}

async function planOne(options: RunOptions): Promise<KernelPlan> {
  const id = runId();
  if (options.kernel.length > 1) throw usageError('alloc-runner run boots one kernel: pass --kernel once (alloc-runner test runs many)');
  if (options.kernel.length === 1) {
    const image = resolve(options.kernel[0]!);
    const name = basename(image);
    return {
      name,
      image,
      imageKind: await detectImageKind(image),
      config: kernelConfig(undefined, name, options.timeout ? { timeout: options.timeout } : {}),
      artifactsDir: resolve(options.artifactsDir ?? 'alloc-runner-artifacts', id, safeName(name)),
    };
  }
  const manifestPath = locateManifest(options.manifestPath, process.cwd());
  const workspace = await readWorkspace(manifestPath);
  const built = await buildKernels('build', {
    manifestPath,
    features: options.features,
    allFeatures: options.allFeatures,
    noDefaultFeatures: !options.defaultFeatures,
    release: options.release ?? false,
    packages: options.package,
  });
  const candidates = options.bin ? built.filter((kernel) => kernel.name === options.bin) : built;
  if (candidates.length !== 1) {
    const names = built.map((kernel) => kernel.name).join(', ') || 'none';
    throw usageError(
      candidates.length === 0
        ? `no binary ${options.bin ? `named ${options.bin} ` : ''}was built (built: ${names})`
        : `Cargo built several binaries (${names}); choose one with --bin NAME`,
    );
  }
  const kernel = candidates[0]!;
  const pkg = workspace.packages.get(kernel.packageId);
  const config = parsePackageConfig(pkg?.metadata?.['alloc-runner'], `${pkg?.manifestPath}: ${METADATA_TABLE}`);
  return {
    name: kernel.name,
    package: pkg?.name,
    image: kernel.executable,
    imageKind: await detectImageKind(kernel.executable),
    config: kernelConfig(config, kernel.name, options.timeout ? { timeout: options.timeout } : {}),
    artifactsDir: join(options.artifactsDir ?? join(workspace.targetDirectory, 'alloc-runner'), id, safeName(kernel.name)),
  };
}
