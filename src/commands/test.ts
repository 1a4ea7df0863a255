import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import chalk from 'chalk';
import { ExitCode, type ExitCodeValue, usageError } from '../errors.js';
import { requireQemu } from '../environment.js';
import { Accelerator, type AccelChoice } from '../qemu/accel.js';
import { detectImageKind } from '../image/kind.js';
import { locateManifest } from '../project/locate.js';
import { kernelConfig, parsePackageConfig, type KernelConfig, METADATA_TABLE } from '../project/config.js';
import { buildKernels, readWorkspace } from '../build/cargo.js';
import { mapConcurrent } from '../run/pool.js';
import { runKernel, type KernelPlan } from '../run/kernel.js';
import { totals } from '../report/terminal.js';
import { checkReporters, writeReports } from '../report/index.js';
import type { KernelResult } from '../model.js';
import { progress } from '../report/progress.js';
import { VERSION } from '../version.js';

export interface TestOptions {
  features: string[];
  allFeatures?: boolean;
  defaultFeatures: boolean;
  release?: boolean;
  manifestPath?: string;
  package: string[];
  kernel: string[];
  jobs?: number;
  timeout?: number;
  accel: AccelChoice;
  qemu: string;
  qemuArg: string[];
  artifactsDir?: string;
  verbose?: boolean;
  reporter: string[];
  outputFile: string[];
}

export async function testCommand(options: TestOptions): Promise<ExitCodeValue> {
  const reporters = options.reporter.length > 0 ? options.reporter : ['default'];
  checkReporters(reporters, options.outputFile);
  const qemu = requireQemu(options.qemu);
  const accel = new Accelerator(options.accel);
  const cliOverrides: Partial<KernelConfig> = options.timeout ? { timeout: options.timeout } : {};
  const id = runId();
  const plans = options.kernel.length > 0 ? await prebuiltPlans(options, cliOverrides, id) : await cargoPlans(options, cliOverrides, id);
  if (plans.length === 0) {
    throw usageError(
      'Cargo built no test kernels, so there is nothing to test. Add test kernels as tests/*.rs with `harness = false`, or pass --kernel FILE.',
    );
  }

  const color = chalk;
  const status = progress(plans.length);
  const results = await mapConcurrent(plans, options.jobs ?? availableParallelism(), async (plan) => {
    status.started(plan.name);
    const result = await runKernel(plan, {
      qemu,
      accel,
      extraQemuArgs: options.qemuArg,
      onLine: options.verbose ? (kernel, line) => status.log(`${color.dim(`[${kernel.name}]`)} ${line}`) : undefined,
    });
    status.finished(plan.name);
    return result;
  });
  status.done();

  await writeReports(results, {
    reporters,
    outputFiles: options.outputFile,
    color,
    verbose: options.verbose ?? false,
    artifactsRoot: artifactsRoot(options, results),
    version: VERSION,
  });
  return totals(results).failed > 0 || results.some((kernel) => kernel.status !== 'pass') ? ExitCode.TestsFailed : ExitCode.Passed;
}

async function prebuiltPlans(options: TestOptions, overrides: Partial<KernelConfig>, runId: string): Promise<KernelPlan[]> {
  const root = resolve(options.artifactsDir ?? 'alloc-runner-artifacts', runId);
  const seen = new Map<string, number>();
  return Promise.all(
    options.kernel.map(async (file) => {
      const image = resolve(file);
      const name = basename(image);
      const count = (seen.get(name) ?? 0) + 1;
      seen.set(name, count);
      return {
        name,
        image,
        imageKind: await detectImageKind(image),
        config: kernelConfig(undefined, name, overrides),
        artifactsDir: join(root, safeName(count > 1 ? `${name}-${count}` : name)),
      };
    }),
  );
}

async function cargoPlans(options: TestOptions, overrides: Partial<KernelConfig>, runId: string): Promise<KernelPlan[]> {
  const manifestPath = locateManifest(options.manifestPath, process.cwd());
  const workspace = await readWorkspace(manifestPath);
  const configs = new Map(
    [...workspace.packages.values()].map((pkg) => [
      pkg.id,
      parsePackageConfig(pkg.metadata?.['alloc-runner'], `${pkg.manifestPath}: ${METADATA_TABLE}`),
    ]),
  );
  const built = await buildKernels('test', {
    manifestPath,
    features: options.features,
    allFeatures: options.allFeatures,
    noDefaultFeatures: !options.defaultFeatures,
    release: options.release ?? false,
    packages: options.package,
  });
  const root = resolve(options.artifactsDir ?? join(workspace.targetDirectory, 'alloc-runner'), runId);
  return Promise.all(
    built.map(async (kernel) => {
      const pkg = workspace.packages.get(kernel.packageId);
      return {
        name: kernel.name,
        package: pkg?.name,
        image: kernel.executable,
        imageKind: await detectImageKind(kernel.executable),
        config: kernelConfig(configs.get(kernel.packageId), kernel.name, overrides),
        artifactsDir: join(root, safeName(pkg?.name ?? 'kernels'), safeName(kernel.name)),
      };
    }),
  );
}

function artifactsRoot(options: TestOptions, results: KernelResult[]): string {
  const first = results[0]?.artifacts.dir;
  if (!first) return options.artifactsDir ?? '(none)';
  // Every kernel's folder sits one or two levels below the run's folder.
  return options.kernel.length > 0 ? resolve(first, '..') : resolve(first, '..', '..');
}

/** A run's own folder name: two runs at once never share one. */
export function runId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
}

/** Kernel and package names become folder names: nothing in them may climb out of the artifacts folder. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' || /^\.+$/.test(cleaned) ? `_${cleaned}` : cleaned;
}
