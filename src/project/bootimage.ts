// Projects built the "Writing an OS in Rust" way: bootloader 0.9 and the bootimage tool.
// bootimage's own rules (rust-osdev/bootimage 0.10: src/config.rs, src/run.rs,
// src/bin/bootimage.rs) are followed here, so such a project runs under alloc-runner unchanged.
import { basename, dirname, join } from 'node:path';
import { usageError } from '../errors.js';
import { stringList, type KernelConfig, type PackageConfig } from './config.js';

export const BOOTIMAGE_TABLE = 'package.metadata.bootimage';

/** `[package.metadata.bootimage]` with bootimage's defaults filled in. */
export interface BootimageConfig {
  /** The program and arguments that boot the image; `{}` stands for the image's path. */
  runCommand: string[];
  /** Appended for executables that are not tests (`cargo run`). */
  runArgs: string[];
  /** Appended for test executables. */
  testArgs: string[];
  /** Seconds a test may run (bootimage: 300). */
  testTimeout: number;
  /** The QEMU exit status that means a test passed; unset, bootimage takes QEMU's own status. */
  testSuccessExitCode?: number;
  /** Whether tests run with -no-reboot (bootimage: true). */
  testNoReboot: boolean;
  /** The Cargo subcommand `cargo bootimage` builds with (bootimage: build); read so that it is accepted, used by bootimage itself. */
  buildCommand: string[];
}

const DEFAULT_RUN_COMMAND = ['qemu-system-x86_64', '-drive', 'format=raw,file={}'];
const DEFAULT_TEST_TIMEOUT = 300;

/** A package is a bootimage project when it depends on `bootloader` or has a bootimage table. */
export function isBootimageProject(pkg: { metadata: Record<string, unknown> | null; dependencies: string[] }): boolean {
  return pkg.dependencies.includes('bootloader') || pkg.metadata?.bootimage !== undefined;
}

/** Reads the table as bootimage does: its keys, its types, its defaults; anything else is an error naming the key. */
export function parseBootimageConfig(table: unknown, where = BOOTIMAGE_TABLE): BootimageConfig {
  const config: BootimageConfig = {
    runCommand: DEFAULT_RUN_COMMAND,
    runArgs: [],
    testArgs: [],
    testTimeout: DEFAULT_TEST_TIMEOUT,
    testNoReboot: true,
    buildCommand: ['build'],
  };
  if (table === undefined || table === null) return config;
  if (typeof table !== 'object' || Array.isArray(table)) throw usageError(`${where}: expected a table, got ${JSON.stringify(table)}`);
  for (const [key, value] of Object.entries(table)) {
    const name = `${where}.${key}`;
    switch (key) {
      case 'run-command':
        config.runCommand = stringList(value, name);
        if (config.runCommand.length === 0) throw usageError(`${name}: must name a program`);
        break;
      case 'run-args':
        config.runArgs = stringList(value, name);
        break;
      case 'test-args':
        config.testArgs = stringList(value, name);
        break;
      case 'build-command':
        config.buildCommand = stringList(value, name);
        break;
      case 'test-timeout':
        if (!Number.isInteger(value) || (value as number) < 0) throw usageError(`${name}: expected a whole number of seconds, got ${JSON.stringify(value)}`);
        config.testTimeout = value as number;
        break;
      case 'test-success-exit-code':
        if (!Number.isInteger(value)) throw usageError(`${name}: expected an exit code, got ${JSON.stringify(value)}`);
        config.testSuccessExitCode = value as number;
        break;
      case 'test-no-reboot':
        if (typeof value !== 'boolean') throw usageError(`${name}: expected true or false, got ${JSON.stringify(value)}`);
        config.testNoReboot = value;
        break;
      default:
        throw usageError(
          `${name}: bootimage does not know this key (it knows run-command, run-args, test-args, test-timeout, test-success-exit-code, test-no-reboot, build-command)`,
        );
    }
  }
  return config;
}

/** bootimage's rule: an executable in a `deps` folder (or a doctest's) is a test. */
export function isTestExecutable(executable: string): boolean {
  const parent = basename(dirname(executable));
  return parent === 'deps' || parent.startsWith('rustdoctest');
}

/** Where bootimage puts the disk image of an executable: beside it, as `bootimage-<file stem>.bin`. */
export function bootimagePath(executable: string): string {
  const stem = basename(executable).replace(/\.[^.]*$/, '');
  return join(dirname(executable), `bootimage-${stem}.bin`);
}

/** How alloc-runner boots a bootimage image, from the package's bootimage settings. */
export interface BootimageBoot {
  /** run-command's program (alloc-runner drives QEMU itself, so it must be a QEMU). */
  qemu: string;
  /** run-command's arguments, with the image's path for `{}`. */
  commandArgs: string[];
  /** Whether they boot the image (run-command names it, with `{}`); if not, it boots as any disk image. */
  bootsImage: boolean;
  /** run-args or test-args, less what alloc-runner sets itself (docs/boot-paths.md lists it). */
  extraArgs: string[];
  /** Whether a reset reboots the guest (tests under `test-no-reboot = false`). */
  allowReboot: boolean;
  /** Settings below `[package.metadata.alloc-runner]`: the test timeout and success status. */
  config: Partial<KernelConfig>;
}

/** The command bootimage itself runs for an image (src/run.rs): run-command, then -no-reboot and test-args for a test, run-args otherwise. */
export function bootimageCommand(config: BootimageConfig, image: string, isTest: boolean): string[] {
  const command = config.runCommand.map((arg) => arg.replaceAll('{}', image));
  if (isTest) return [...command, ...(config.testNoReboot ? ['-no-reboot'] : []), ...config.testArgs];
  return [...command, ...config.runArgs];
}

/** How alloc-runner boots that image: bootimage's command, less what alloc-runner sets itself. */
export function bootimageBoot(config: BootimageConfig, image: string, isTest: boolean): BootimageBoot {
  const [program, ...args] = bootimageCommand(config, image, isTest) as [string, ...string[]];
  if (!/^qemu-system-/.test(basename(program))) {
    throw usageError(
      `${BOOTIMAGE_TABLE}.run-command runs ${program}, but alloc-runner boots the image in QEMU itself (to read serial, exit status and screen); ` +
        'set run-command to a qemu-system-* command, or run this project with bootimage',
    );
  }
  const commandArgs = args.slice(0, config.runCommand.length - 1);
  const settings: Partial<KernelConfig> = {};
  if (isTest) {
    settings.timeout = config.testTimeout;
    if (config.testSuccessExitCode !== undefined) settings.successStatus = config.testSuccessExitCode;
  }
  return {
    qemu: program,
    commandArgs,
    bootsImage: config.runCommand.some((arg) => arg.includes('{}')),
    extraArgs: withoutRunnerArgs(args.slice(commandArgs.length)),
    allowReboot: isTest && !config.testNoReboot,
    config: settings,
  };
}

/**
 * blog_os's test-args set what alloc-runner sets too (serial on stdio, no display,
 * isa-debug-exit at 0xf4, -no-reboot); given twice, QEMU would refuse to start.
 */
export function withoutRunnerArgs(args: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = args[i + 1];
    if (arg === '-no-reboot' || arg === '-S') continue;
    if (value !== undefined && (['-serial', '-display', '-monitor'].includes(arg) || (arg === '-device' && /^isa-debug-exit\b/.test(value) && /iobase=0xf4\b/i.test(value)))) {
      i++;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

/**
 * The package's alloc-runner settings over bootimage's: the bootimage values are the
 * defaults, `[package.metadata.alloc-runner]` overrides them, and QEMU arguments add up.
 */
export function withBootimageDefaults(pkg: PackageConfig, boot: BootimageBoot): PackageConfig {
  const qemuArgs = [...boot.extraArgs, ...(pkg.defaults.qemuArgs ?? [])];
  return { defaults: { ...boot.config, ...pkg.defaults, qemuArgs }, kernels: pkg.kernels };
}

/** The images `cargo bootimage` reports: "Created bootimage for `NAME` at `PATH`". */
export function parseCreatedImages(output: string): Map<string, string> {
  const images = new Map<string, string>();
  for (const match of output.matchAll(/^Created bootimage for `([^`]+)` at `([^`]+)`\s*$/gm)) images.set(match[1]!, match[2]!);
  return images;
}
