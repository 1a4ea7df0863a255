import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_QEMU } from '../environment.js';
import { buildError, usageError } from '../errors.js';
import { detectImageKind, firmwareMismatch } from '../image/kind.js';
import type { Firmware } from '../model.js';
import { bootimagePackages, bootimageReason, explainToolchainError, makeBinaryImages, requireBootimage } from '../image/bootimage.js';
import { TestImages } from '../image/bootimage-cache.js';
import { bootimageBoot, isTestExecutable, withBootimageDefaults, type BootimageConfig } from '../project/bootimage.js';
import { locateManifest } from '../project/locate.js';
import { checkKernelTables, kernelConfig, parsePackageConfig, refuseScreenKeys, type KernelConfig, type PackageConfig, METADATA_TABLE } from '../project/config.js';
import { buildKernels, readWorkspace, selectionArgs, type BuiltKernel, type CargoSelection } from '../build/cargo.js';
import type { KernelPlan } from './kernel.js';
import { mapConcurrent } from './pool.js';
import { byKernelId, uniqueIds, type Named } from './select.js';

/** Where the kernels come from: the images `--kernel` names, booted as they are, or what Cargo builds. */
export type KernelSource = { images: string[] } | { cargo: CargoRequest };

/** What Cargo builds, as the command line asks; without a manifest path, from the Cargo.toml found from here. */
export type CargoRequest = Omit<CargoSelection, 'manifestPath'> & { manifestPath?: string };

/** What planning needs: where the kernels come from, what the command line sets for all of them, where their artifacts go. */
export interface PlanSettings {
  source: KernelSource;
  /** Settings given on the command line, over every kernel's configuration. */
  overrides: Partial<KernelConfig>;
  /** The folder each run's folder is made in (default: Cargo's target dir, alloc-runner/; for images, ./alloc-runner-artifacts). */
  artifactsDir?: string;
  /** How many bootimage disk images are made at once. */
  jobs: number;
}

export interface Plans {
  kernels: KernelPlan[];
  /** The run's own artifacts folder: every kernel's folder is inside it. */
  artifactsRoot: string;
  /** The packages' `default-run` binaries, as `package/name`: the one `run` boots among several. */
  defaultRuns?: string[];
}

/** Picks the kernels to plan out of all there are (`--filter-kernel`, `--shard`). */
export type KernelChoice = <T extends Named>(kernels: T[]) => T[];

/**
 * The kernels to boot: the `--kernel` files as given, or what Cargo builds (`cargo test
 * --no-run` or `cargo build`), sorted by id; `select` picks among them.
 */
export async function planKernels(mode: 'test' | 'build', settings: PlanSettings, select?: KernelChoice): Promise<Plans> {
  if ('cargo' in settings.source) return planCargo(mode, settings.source.cargo, settings, select);
  const plans = await planPrebuilt(settings.source.images, settings);
  return select ? { ...plans, kernels: select(plans.kernels) } : plans;
}

async function planPrebuilt(files: string[], { overrides, artifactsDir }: PlanSettings): Promise<Plans> {
  const artifactsRoot = resolve(artifactsDir ?? 'alloc-runner-artifacts', runId());
  const images = files.map((file) => resolve(file));
  const ids = uniqueIds(images.map((image) => ({ name: basename(image), image })));
  const folders = kernelFolders(artifactsRoot, ids);
  const kernels = await Promise.all(
    images.map(async (image, index) => {
      const name = basename(image);
      const imageKind = await detectImageKind(image);
      return {
        id: ids[index]!,
        name,
        image,
        imageKind,
        symbols: imageKind === 'multiboot' ? image : undefined,
        config: kernelConfig(undefined, name, overrides),
        artifactsDir: folders[index]!,
      };
    }),
  );
  return { kernels: kernels.sort(byKernelId), artifactsRoot };
}

async function planCargo(mode: 'test' | 'build', cargo: CargoRequest, { overrides, artifactsDir, jobs }: PlanSettings, select?: KernelChoice): Promise<Plans> {
  const manifestPath = locateManifest(cargo.manifestPath, process.cwd());
  const workspace = await readWorkspace(manifestPath);
  // Configuration errors are found before anything is built.
  const configs = new Map(
    [...workspace.packages.values()].map((pkg) => {
      const where = `${pkg.manifestPath}: ${METADATA_TABLE}`;
      const config = parsePackageConfig(pkg.metadata?.['alloc-runner'], where);
      checkKernelTables(config, pkg.targets, where);
      return [pkg.id, config];
    }),
  );
  const bootimages = bootimagePackages(workspace.packages.values());
  const firstBootimage = bootimages.values().next().value;
  if (firstBootimage) requireBootimage(bootimageReason(firstBootimage.pkg));
  const selection = { ...cargo, manifestPath };
  const built = await buildKernels(mode, selection, firstBootimage && explainToolchainError);
  // Kernel binaries of bootimage projects get their images from `cargo bootimage`, test executables from `bootimage runner`.
  const binaryImages =
    mode === 'build' && built.some((kernel) => bootimages.has(kernel.packageId))
      ? await makeBinaryImages(selectionArgs(selection), dirname(manifestPath))
      : new Map<string, string>();
  const artifactsRoot = resolve(artifactsDir ?? join(workspace.targetDirectory, 'alloc-runner'), runId());
  const packageName = (kernel: BuiltKernel) => workspace.packages.get(kernel.packageId)?.name;
  const ids = uniqueIds(built.map((kernel) => ({ name: kernel.name, package: packageName(kernel), kind: kernel.kind })));
  const folders = kernelFolders(artifactsRoot, ids);
  const all = built.map((kernel, index) => ({ id: ids[index]!, name: kernel.name, package: packageName(kernel), kernel, artifactsDir: folders[index]! }));
  // Chosen before their disk images are made: a filtered-out kernel costs no bootloader build.
  all.sort(byKernelId);
  const chosen = select ? select(all) : all;
  const testImages = new TestImages(workspace.targetDirectory, workspace.workspaceRoot);
  const kernels = await mapConcurrent(chosen, jobs, async ({ kernel, artifactsDir, ...named }, _index, worker) => {
    const bootimage = bootimages.get(kernel.packageId);
    const packageConfig = configs.get(kernel.packageId);
    const where = { overrides, artifactsDir, sourceRoot: workspace.workspaceRoot, symbols: kernel.executable };
    if (!bootimage) return cargoKernelPlan(named, kernel.executable, packageConfig, where);
    const packageDir = dirname(bootimage.pkg.manifestPath);
    const image = mode === 'build' ? binaryImages.get(kernel.name) : await testImages.make(kernel.executable, packageDir, worker);
    if (!image) throw buildError(`cargo bootimage made no image of ${kernel.name}`);
    const plan = await cargoKernelPlan(named, image, packageConfig, where);
    return bootimagePlan(plan, kernel.executable, bootimage.config, packageConfig, overrides);
  });
  const defaultRuns = [...workspace.packages.values()].flatMap((pkg) => (pkg.defaultRun ? [`${pkg.name}/${pkg.defaultRun}`] : []));
  return { kernels, artifactsRoot, defaultRuns };
}

/** A kernel Cargo built (or its disk image): its package's configuration, its folder in the run's artifacts. */
export async function cargoKernelPlan(
  kernel: { id: string; name: string; package?: string },
  image: string,
  packageConfig: PackageConfig | undefined,
  where: { overrides: Partial<KernelConfig>; artifactsDir: string; sourceRoot?: string; symbols?: string },
): Promise<KernelPlan> {
  return {
    ...kernel,
    image,
    imageKind: await detectImageKind(image),
    symbols: where.symbols,
    config: kernelConfig(packageConfig, kernel.name, where.overrides),
    artifactsDir: where.artifactsDir,
    sourceRoot: where.sourceRoot,
  };
}

/**
 * A bootimage project's kernel (`plan` boots its disk image, `executable` is the ELF Cargo built), booted with bootimage's settings (run-command,
 * test-args or run-args, test-timeout, test-success-exit-code, test-no-reboot) under the
 * package's own `[package.metadata.alloc-runner]`.
 */
export function bootimagePlan(
  plan: KernelPlan,
  executable: string,
  bootimage: BootimageConfig,
  packageConfig: PackageConfig | undefined,
  overrides: Partial<KernelConfig>,
): KernelPlan {
  const boot = bootimageBoot(bootimage, plan.image, isTestExecutable(executable));
  const own = packageConfig ?? { defaults: {}, kernels: new Map() };
  return {
    ...plan,
    config: kernelConfig(withBootimageDefaults(own, boot), plan.name, overrides),
    qemu: boot.qemu === DEFAULT_QEMU ? undefined : boot.qemu,
    overrides: { commandArgs: boot.commandArgs, bootsImage: boot.bootsImage, allowReboot: boot.allowReboot },
  };
}

/**
 * Each kernel's folder in the run's artifacts, from its id (`package/name` becomes two
 * folders); two ids that make the same folder name get a count.
 */
export function kernelFolders(artifactsRoot: string, ids: string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((id) => {
    const folder = join(artifactsRoot, ...id.split('/').map(safeName));
    const count = (seen.get(folder) ?? 0) + 1;
    seen.set(folder, count);
    return count > 1 ? `${folder}-${count}` : folder;
  });
}

/**
 * Refuses, with the reason, the first kernel its firmware cannot boot (a BIOS-only disk under
 * UEFI, say) or whose screen expectations it cannot meet. `firmwareOption`: `--firmware`'s value.
 */
export async function checkBootable(plans: KernelPlan[], firmwareOption?: Firmware): Promise<void> {
  const why = firmwareOption === 'uefi' ? '--firmware uefi' : 'firmware = "uefi"';
  for (const plan of plans) refuseScreenKeys(plan.config, plan.name, why);
  const reasons = await Promise.all(plans.map((plan) => firmwareMismatch(plan.image, plan.imageKind, plan.config.firmware)));
  const reason = reasons.find((found) => found !== undefined);
  if (reason) throw usageError(reason);
}

/** A run's own folder name: two runs at once never share one. */
export function runId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
}

/** Kernel and package names become folder names: nothing in them may climb out of the artifacts folder. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._[\]-]/g, '_');
  const named = cleaned === '' || /^\.+$/.test(cleaned) ? `_${cleaned}` : cleaned;
  if (named.length <= MAX_FOLDER_NAME) return named;
  // Cut (file systems allow 255 bytes), kept apart from other long names by a hash of the whole.
  // node:crypto is loaded only then: loading it costs about 3 ms, a tenth of a small kernel's run.
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${named.slice(0, MAX_FOLDER_NAME - hash.length - 1)}-${hash}`;
}

/** Longest folder name made from a kernel or package name (ASCII only, so also bytes). */
const MAX_FOLDER_NAME = 100;

/**
 * The one kernel `run` and `build` work on: `--kernel FILE`, or the binary Cargo builds
 * (chosen with `--bin NAME` when there are several, else the package's `default-run`, as
 * `cargo run` chooses).
 */
export async function planOneKernel(settings: PlanSettings, bin: string | undefined): Promise<KernelPlan> {
  const { kernels, defaultRuns = [] } = await planKernels('build', settings);
  const defaultRun = kernels.filter((kernel) => defaultRuns.includes(`${kernel.package}/${kernel.name}`));
  const candidates = bin ? kernels.filter((kernel) => kernel.name === bin) : kernels.length > 1 && defaultRun.length === 1 ? defaultRun : kernels;
  if (candidates.length !== 1) {
    const names = kernels.map((kernel) => kernel.name).join(', ') || 'none';
    throw usageError(
      candidates.length === 0
        ? `no binary ${bin ? `named ${bin} ` : ''}was built (built: ${names})`
        : `Cargo built several binaries (${names}); choose one with --bin NAME`,
    );
  }
  return candidates[0]!;
}
