import { basename, join, resolve } from 'node:path';
import type { AccelChoice } from '../qemu/accel.js';
import { detectImageKind } from '../image/kind.js';
import { locateManifest } from '../project/locate.js';
import { kernelConfig, parsePackageConfig, type KernelConfig, METADATA_TABLE } from '../project/config.js';
import { buildKernels, readWorkspace } from '../build/cargo.js';
import type { KernelPlan } from './kernel.js';

/** The options `test` and `run` share: what to build or boot, and how. */
export interface SelectionOptions {
  features: string[];
  allFeatures?: boolean;
  defaultFeatures: boolean;
  release?: boolean;
  manifestPath?: string;
  package: string[];
  kernel: string[];
  timeout?: number;
  accel: AccelChoice;
  qemu: string;
  qemuArg: string[];
  artifactsDir?: string;
}

export interface Plans {
  kernels: KernelPlan[];
  /** The run's own artifacts folder: every kernel's folder is inside it. */
  artifactsRoot: string;
}

/** The kernels to boot: the `--kernel` files as given, or what Cargo builds (`cargo test --no-run` or `cargo build`). */
export async function planKernels(mode: 'test' | 'build', options: SelectionOptions): Promise<Plans> {
  const overrides: Partial<KernelConfig> = options.timeout ? { timeout: options.timeout } : {};
  return options.kernel.length > 0 ? planPrebuilt(options, overrides) : planCargo(mode, options, overrides);
}

async function planPrebuilt(options: SelectionOptions, overrides: Partial<KernelConfig>): Promise<Plans> {
  const artifactsRoot = resolve(options.artifactsDir ?? 'alloc-runner-artifacts', runId());
  const seen = new Map<string, number>();
  const kernels = await Promise.all(
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
        artifactsDir: join(artifactsRoot, safeName(count > 1 ? `${name}-${count}` : name)),
      };
    }),
  );
  return { kernels, artifactsRoot };
}

async function planCargo(mode: 'test' | 'build', options: SelectionOptions, overrides: Partial<KernelConfig>): Promise<Plans> {
  const manifestPath = locateManifest(options.manifestPath, process.cwd());
  const workspace = await readWorkspace(manifestPath);
  // Configuration errors are found before anything is built.
  const configs = new Map(
    [...workspace.packages.values()].map((pkg) => [
      pkg.id,
      parsePackageConfig(pkg.metadata?.['alloc-runner'], `${pkg.manifestPath}: ${METADATA_TABLE}`),
    ]),
  );
  const built = await buildKernels(mode, {
    manifestPath,
    features: options.features,
    allFeatures: options.allFeatures,
    noDefaultFeatures: !options.defaultFeatures,
    release: options.release ?? false,
    packages: options.package,
  });
  const artifactsRoot = resolve(options.artifactsDir ?? join(workspace.targetDirectory, 'alloc-runner'), runId());
  const kernels = await Promise.all(
    built.map(async (kernel) => {
      const pkg = workspace.packages.get(kernel.packageId);
      return {
        name: kernel.name,
        package: pkg?.name,
        image: kernel.executable,
        imageKind: await detectImageKind(kernel.executable),
        config: kernelConfig(configs.get(kernel.packageId), kernel.name, overrides),
        artifactsDir: join(artifactsRoot, safeName(pkg?.name ?? 'kernels'), safeName(kernel.name)),
      };
    }),
  );
  return { kernels, artifactsRoot };
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
