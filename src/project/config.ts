import { usageError } from '../errors.js';

/** What a kernel is expected to do, from `[package.metadata.alloc-runner]`. */
export interface KernelConfig {
  /** Seconds before a kernel that has not exited is reported as hung and killed. */
  timeout: number;
  /** The QEMU exit status that means success (isa-debug-exit value 0x10). */
  successStatus: number;
  /** The QEMU exit status that means the kernel reported a failure (value 0x11). */
  failureStatus: number;
  /** The exit status this kernel must end with; the success status unless set. */
  exitStatus?: number;
  vgaContains: string[];
  vgaExcludes: string[];
  /** Regular expressions each of which some serial line must match. */
  serialMatches: string[];
  qemuArgs: string[];
}

export const DEFAULT_CONFIG: KernelConfig = {
  timeout: 60,
  successStatus: 33,
  failureStatus: 35,
  vgaContains: [],
  vgaExcludes: [],
  serialMatches: [],
  qemuArgs: [],
};

export const METADATA_TABLE = 'package.metadata.alloc-runner';

type Reader = (value: unknown, key: string) => Partial<KernelConfig>;

const positiveNumber = (value: unknown, key: string): number => {
  if (typeof value !== 'number' || !(value > 0)) throw wrongType(key, 'a positive number', value);
  return value;
};
const exitStatus = (value: unknown, key: string): number => {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 255) {
    throw wrongType(key, 'an exit status from 0 to 255', value);
  }
  return value as number;
};
const stringList = (value: unknown, key: string): string[] => {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw wrongType(key, 'a list of strings', value);
  }
  return value;
};
const regexList = (value: unknown, key: string): string[] => {
  const patterns = stringList(value, key);
  for (const pattern of patterns) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw usageError(`${key}: "${pattern}" is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  return patterns;
};

// One declaration per key: its reader is its validation and its documentation.
const KEYS: Record<string, Reader> = {
  timeout: (value, key) => ({ timeout: positiveNumber(value, key) }),
  'success-exit-status': (value, key) => ({ successStatus: exitStatus(value, key) }),
  'failure-exit-status': (value, key) => ({ failureStatus: exitStatus(value, key) }),
  'exit-status': (value, key) => ({ exitStatus: exitStatus(value, key) }),
  'vga-contains': (value, key) => ({ vgaContains: stringList(value, key) }),
  'vga-excludes': (value, key) => ({ vgaExcludes: stringList(value, key) }),
  'serial-matches': (value, key) => ({ serialMatches: regexList(value, key) }),
  'qemu-args': (value, key) => ({ qemuArgs: stringList(value, key) }),
};

export const CONFIG_KEYS = Object.keys(KEYS);

/** The package-wide settings and the per-kernel overrides of one package's metadata table. */
export interface PackageConfig {
  defaults: Partial<KernelConfig>;
  kernels: Map<string, Partial<KernelConfig>>;
}

/** Reads `[package.metadata.alloc-runner]` (as `cargo metadata` gives it) and rejects what it does not know. */
export function parsePackageConfig(metadata: unknown, where = METADATA_TABLE): PackageConfig {
  const config: PackageConfig = { defaults: {}, kernels: new Map() };
  if (metadata === undefined || metadata === null) return config;
  const table = asTable(metadata, where);
  for (const [key, value] of Object.entries(table)) {
    if (key === 'kernels') {
      for (const [kernel, overrides] of Object.entries(asTable(value, `${where}.kernels`))) {
        config.kernels.set(kernel, readSettings(asTable(overrides, `${where}.kernels.${kernel}`), `${where}.kernels.${kernel}`));
      }
    } else {
      Object.assign(config.defaults, readKey(key, value, where));
    }
  }
  return config;
}

/** The settings for one kernel: defaults, then the package's, then the kernel's own. */
export function kernelConfig(pkg: PackageConfig | undefined, kernel: string, overrides: Partial<KernelConfig> = {}): KernelConfig {
  return { ...DEFAULT_CONFIG, ...pkg?.defaults, ...pkg?.kernels.get(kernel), ...overrides };
}

function readSettings(table: Record<string, unknown>, where: string): Partial<KernelConfig> {
  const settings: Partial<KernelConfig> = {};
  for (const [key, value] of Object.entries(table)) Object.assign(settings, readKey(key, value, where));
  return settings;
}

function readKey(key: string, value: unknown, where: string): Partial<KernelConfig> {
  // Own keys only: `constructor` or `__proto__` would otherwise find Object's.
  const reader = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
  if (!reader) {
    throw usageError(`${where}.${key}: unknown key; the known keys are ${[...CONFIG_KEYS, 'kernels'].join(', ')}`);
  }
  return reader(value, `${where}.${key}`);
}

function asTable(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType(where, 'a table', value);
  return value as Record<string, unknown>;
}

function wrongType(key: string, expected: string, value: unknown) {
  return usageError(`${key}: expected ${expected}, got ${JSON.stringify(value)}`);
}
