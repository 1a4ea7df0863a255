// Projects built the "Writing an OS in Rust" way: bootloader 0.9 and the bootimage tool.
// bootimage's own rules (rust-osdev/bootimage 0.10: src/config.rs, src/run.rs,
// src/bin/bootimage.rs) are followed here, so such a project runs under alloc-runner unchanged.
import { basename, dirname, join } from 'node:path';
import { usageError } from '../errors.js';
import type { KernelConfig, PackageConfig } from './config.js';

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
        config.runCommand = strings(value, name);
        if (config.runCommand.length === 0) throw usageError(`${name}: must name a program`);
        break;
      case 'run-args':
        config.runArgs = strings(value, name);
        break;
      case 'test-args':
        config.testArgs = strings(value, name);
        break;
      case 'build-command':
        config.buildCommand = strings(value, name);
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

function strings(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw usageError(`${name}: expected a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
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
  /** run-command's arguments with the image's path for `{}`: they boot the image. */
  bootArgs: string[];
  /** run-args or test-args, less what alloc-runner sets itself. */
  extraArgs: string[];
  /** Whether a reset reboots the guest (tests under `test-no-reboot = false`). */
  allowReboot: boolean;
  /** Arguments left out because alloc-runner sets them itself, to tell the user. */
  ignoredArgs: string[];
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
  const runCommandArgs = args.slice(0, config.runCommand.length - 1);
  const { kept, ignored } = withoutRunnerArgs(args.slice(runCommandArgs.length));
  const settings: Partial<KernelConfig> = {};
  if (isTest) {
    settings.timeout = config.testTimeout;
    if (config.testSuccessExitCode !== undefined) settings.successStatus = config.testSuccessExitCode;
  }
  const bootsImage = config.runCommand.some((arg) => arg.includes('{}'));
  return {
    qemu: program,
    // A run-command without `{}` does not boot the image: then it boots as any disk image.
    bootArgs: bootsImage ? runCommandArgs : [...runCommandArgs, '-drive', `format=raw,file=${image.replaceAll(',', ',,')}`],
    extraArgs: kept,
    allowReboot: isTest && !config.testNoReboot,
    ignoredArgs: ignored,
    config: settings,
  };
}

/**
 * blog_os's test-args set what alloc-runner sets too (serial on stdio, no display,
 * isa-debug-exit at 0xf4, -no-reboot); given twice, QEMU would refuse to start.
 */
export function withoutRunnerArgs(args: string[]): { kept: string[]; ignored: string[] } {
  const kept: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = args[i + 1];
    if (arg === '-no-reboot' || arg === '-S') {
      ignored.push(arg);
    } else if ((arg === '-serial' || arg === '-display' || arg === '-monitor') && value !== undefined) {
      ignored.push(arg, value);
      i++;
    } else if (arg === '-device' && value !== undefined && /^isa-debug-exit\b/.test(value) && /iobase=0xf4\b/i.test(value)) {
      ignored.push(arg, value);
      i++;
    } else {
      kept.push(arg);
    }
  }
  return { kept, ignored };
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
