import { usageError } from '../errors.js';
import type { GrubImageKind } from '../image/grub.js';
import type { BootPath } from '../image/wrap.js';
import { commandLineSettings, type KernelConfig } from '../project/config.js';
import type { Firmware, Shard } from '../model.js';
import type { QemuSettings } from '../qemu/settings.js';
import { chooseReporters, type ReporterChoice } from '../report/choice.js';
import type { KernelSource, PlanSettings } from '../run/plan.js';
import { parseShard } from '../run/select.js';
import type { BuildOptions, MergeOptions, RunOptions, TestOptions } from './declare.js';

// The options as commander parsed them, resolved once into the settings the stages read:
// combinations checked, words parsed, each stage's part in a small typed object of its own.
// Nothing after this reads the raw options.

/** What a report is made of and where each goes (`test`, `merge`). */
export interface ReportConfig {
  reporters: ReporterChoice[];
  /** Every test's diagnostics and output, not only the failures'. */
  verbose: boolean;
  /** Tests that took longer are marked slow in the default report; 0 marks none. */
  slowTestMs: number;
}

export interface TestConfig {
  plan: PlanSettings;
  qemu: QemuSettings;
  /** Which of the kernels built run: `--filter-kernel`'s patterns, then `--shard`. */
  choice: { patterns: string[]; shard?: Shard };
  /** Words for each kernel's command line (`--filter-test`). */
  cmdlineWords: string[];
  bootPath: BootPath;
  /** Kernels booted (and images made) at once. */
  jobs: number;
  report: ReportConfig;
  bail: boolean;
  /** Print the kernels that would run, boot none. */
  list: boolean;
  cache: boolean;
  watch: boolean;
}

export interface RunConfig {
  plan: PlanSettings;
  qemu: QemuSettings;
  /** The binary to boot among several. */
  bin?: string;
}

export interface BuildConfig {
  plan: PlanSettings;
  image: GrubImageKind;
  /** Where the image goes; unset: beside the kernel. */
  output?: string;
  bin?: string;
  /** The command line GRUB passes; unset: alloc-runner's own word. */
  cmdline?: string[];
  /** `--firmware`, over the configuration's. */
  firmware?: Firmware;
}

export function resolveTest(options: TestOptions): TestConfig {
  const report = resolveReport(options);
  const config: TestConfig = {
    plan: { ...planSettings(options, kernelOverrides(options)), jobs: options.jobs },
    qemu: qemuSettings(options),
    choice: { patterns: options.filterKernel, shard: options.shard === undefined ? undefined : parseShard(options.shard) },
    cmdlineWords: testFilterWords(options.filterTest),
    bootPath: options.boot,
    jobs: options.jobs,
    report,
    bail: options.bail === true,
    list: options.list === true,
    cache: options.cache === true,
    watch: options.watch === true,
  };
  if (config.watch) refuseBesideWatch(options);
  return config;
}

export function resolveRun(options: RunOptions): RunConfig {
  refuseSeveralKernels(options.kernel, 'run');
  return { plan: planSettings(options, kernelOverrides(options)), qemu: qemuSettings(options), bin: options.bin };
}

export function resolveBuild(options: BuildOptions): BuildConfig {
  refuseSeveralKernels(options.kernel, 'build');
  return {
    plan: planSettings(options, options.firmware ? { firmware: options.firmware } : {}),
    image: options.image,
    output: options.output,
    bin: options.bin,
    cmdline: options.cmdline?.split(/\s+/).filter(Boolean),
    firmware: options.firmware,
  };
}

export function resolveReport(options: TestOptions | MergeOptions): ReportConfig {
  return { reporters: chooseReporters(options.reporter, options.outputFile), verbose: options.verbose === true, slowTestMs: options.slowTestMs };
}

type PlanOptions = Pick<BuildOptions, 'features' | 'allFeatures' | 'defaultFeatures' | 'release' | 'manifestPath' | 'package' | 'kernel'> & { artifactsDir?: string };

/** What to build or take; `run` and `build` make one image at a time. */
function planSettings(options: PlanOptions, overrides: Partial<KernelConfig>): PlanSettings {
  return { source: kernelSource(options), overrides, artifactsDir: options.artifactsDir, jobs: 1 };
}

/** `--kernel FILE` builds nothing, so an option for Cargo beside it would silently do nothing. */
function kernelSource(options: PlanOptions): KernelSource {
  const cargo = {
    manifestPath: options.manifestPath,
    features: options.features,
    allFeatures: options.allFeatures === true,
    noDefaultFeatures: !options.defaultFeatures,
    release: options.release === true,
    packages: options.package,
  };
  if (options.kernel.length === 0) return { cargo };
  const given = [
    cargo.features.length > 0 && '--features',
    cargo.allFeatures && '--all-features',
    cargo.noDefaultFeatures && '--no-default-features',
    cargo.release && '--release',
    cargo.manifestPath !== undefined && '--manifest-path',
    cargo.packages.length > 0 && '--package',
  ].filter((option): option is string => typeof option === 'string');
  if (given.length > 0) {
    throw usageError(`--kernel boots a prebuilt image and builds nothing, so ${given.join(', ')} would do nothing: drop ${given.length === 1 ? 'it' : 'them'}, or drop --kernel to build with Cargo`);
  }
  return { images: options.kernel };
}

/** The command line's settings, over every kernel's configuration; each option is checked as its configuration key is. */
function kernelOverrides(options: TestOptions | RunOptions): Partial<KernelConfig> {
  return {
    ...commandLineSettings({
      'pass-when-vga': options.passWhenVga,
      'pass-when-serial': options.passWhenSerial,
      'fail-when-vga': options.failWhenVga,
      'fail-when-serial': options.failWhenSerial,
      'vga-contains': options.vgaContains,
      'vga-excludes': options.vgaExcludes,
      'serial-matches': options.serialMatches,
      'exit-status': options.exitStatus,
      'vga-poll-ms': options.vgaPollMs,
    }),
    ...(options.timeout ? { timeout: options.timeout } : {}),
    ...(options.firmware ? { firmware: options.firmware } : {}),
  };
}

export function qemuSettings(options: RunOptions | TestOptions): QemuSettings {
  return {
    program: options.qemu,
    accel: options.accel,
    extraArgs: options.qemuArg,
    firmware: options.firmware,
    ovmf: { code: options.ovmfCode, vars: options.ovmfVars },
    gdb: options.gdb,
    screenshots: options.screenshot === true,
  };
}

function refuseSeveralKernels(kernels: string[], command: string): void {
  if (kernels.length > 1) throw usageError(`alloc-runner ${command} takes one kernel: pass --kernel once`);
}

/** `--watch` reruns what Cargo builds, from a terminal: what would make that meaningless is refused. */
function refuseBesideWatch(options: TestOptions): void {
  const refused = [options.gdb !== undefined && '--gdb', options.list && '--list', options.kernel.length > 0 && '--kernel', options.bail && '--bail'].filter(
    (option): option is string => typeof option === 'string',
  );
  if (refused.length > 0) throw usageError(`--watch reruns the kernels Cargo builds as their sources change, so it does not go with ${refused.join(', ')}`);
}

/**
 * `--filter-test` patterns travel to the kernel as `filter=PATTERN` words on its Multiboot
 * command line (the README, "What a kernel speaks"); a word cannot hold a space.
 */
function testFilterWords(patterns: string[]): string[] {
  for (const pattern of patterns) {
    if (pattern === '' || /\s/.test(pattern)) {
      throw usageError(`--filter-test "${pattern}": a test filter is one word without spaces (use * and ? to match any characters)`);
    }
  }
  return patterns.map((pattern) => `filter=${pattern}`);
}
