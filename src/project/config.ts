import { usageError } from '../errors.js';
import type { Firmware } from '../model.js';

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
  /** Pass as soon as the screen shows this text (the kernel need not exit). */
  passWhenVga?: string;
  /** Pass as soon as a serial line matches this regular expression. */
  passWhenSerial?: string;
  /** Fail as soon as the screen shows any of these texts. */
  failWhenVga: string[];
  /** Fail as soon as a serial line matches any of these regular expressions. */
  failWhenSerial: string[];
  /** Milliseconds between two reads of the screen while a VGA condition is pending. */
  vgaPollMs: number;
  /** Whether KTAP/TAP or blog_os output with no result at all (`1..0`, a bare header) passes. */
  noTests: 'fail' | 'pass';
  /** SeaBIOS (`bios`) or OVMF (`uefi`). */
  firmware: Firmware;
}

export const DEFAULT_CONFIG: KernelConfig = {
  timeout: 60,
  successStatus: 33,
  failureStatus: 35,
  vgaContains: [],
  vgaExcludes: [],
  serialMatches: [],
  qemuArgs: [],
  failWhenVga: [],
  failWhenSerial: [],
  vgaPollMs: 50,
  noTests: 'fail',
  firmware: 'bios',
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
/** A list of strings (a bootimage table's lists too). */
export const stringList = (value: unknown, key: string): string[] => {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw wrongType(key, 'a list of strings', value);
  }
  return value;
};
const regex = (pattern: string, key: string): string => {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw usageError(`${key}: "${pattern}" is not a valid regular expression: ${(error as Error).message}`);
  }
  return pattern;
};
const regexList = (value: unknown, key: string): string[] => stringList(value, key).map((pattern) => regex(pattern, key));
/** Text to look for: an empty one would match at once. */
const text = (value: unknown, key: string): string => {
  if (typeof value !== 'string' || value === '') throw wrongType(key, 'a non-empty string', value);
  return value;
};
/** One text, or a list of texts any of which counts. */
const textList = (value: unknown, key: string): string[] => (Array.isArray(value) ? value : [value]).map((item) => text(item, key));
const pollInterval = (value: unknown, key: string): number => {
  if (!Number.isInteger(value) || (value as number) < 10 || (value as number) > 10_000) {
    throw wrongType(key, 'a whole number of milliseconds from 10 to 10000', value);
  }
  return value as number;
};

const FIRMWARES: readonly Firmware[] = ['bios', 'uefi'];
const firmware = (value: unknown, key: string): Firmware => {
  if (!FIRMWARES.includes(value as Firmware)) throw wrongType(key, FIRMWARES.map((name) => `"${name}"`).join(' or '), value);
  return value as Firmware;
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
  'pass-when-vga': (value, key) => ({ passWhenVga: text(value, key) }),
  'pass-when-serial': (value, key) => ({ passWhenSerial: regex(text(value, key), key) }),
  'fail-when-vga': (value, key) => ({ failWhenVga: textList(value, key) }),
  'fail-when-serial': (value, key) => ({ failWhenSerial: textList(value, key).map((pattern) => regex(pattern, key)) }),
  'vga-poll-ms': (value, key) => ({ vgaPollMs: pollInterval(value, key) }),
  'no-tests': (value, key) => {
    if (value !== 'pass' && value !== 'fail') throw wrongType(key, '"pass" or "fail"', value);
    return { noTests: value };
  },
  firmware: (value, key) => ({ firmware: firmware(value, key) }),
};

/** The keys that read the VGA text screen, which UEFI firmware does not leave behind. */
const SCREEN_KEYS = {
  'vga-contains': 'vgaContains',
  'vga-excludes': 'vgaExcludes',
  'pass-when-vga': 'passWhenVga',
  'fail-when-vga': 'failWhenVga',
} as const satisfies Record<string, keyof KernelConfig>;

export const CONFIG_KEYS = Object.keys(KEYS);

/** The configuration keys `test` and `run` take as options of the same names (`--pass-when-vga` is `pass-when-vga`). */
export type OptionKey = 'pass-when-vga' | 'pass-when-serial' | 'fail-when-vga' | 'fail-when-serial' | 'vga-contains' | 'vga-excludes' | 'serial-matches' | 'exit-status' | 'vga-poll-ms';
const NUMBER_KEYS = new Set<OptionKey>(['exit-status', 'vga-poll-ms']);

/**
 * The settings given on the command line, by key, read and checked as the keys are; an error
 * names the option. Options take text, so the numbers among them are read from it here.
 */
export function commandLineSettings(given: Partial<Record<OptionKey, string | string[]>>): Partial<KernelConfig> {
  const settings: Partial<KernelConfig> = {};
  for (const [key, value] of Object.entries(given) as Array<[OptionKey, string | string[] | undefined]>) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const typed = NUMBER_KEYS.has(key) && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    Object.assign(settings, KEYS[key]!(typed, `--${key}`));
  }
  return settings;
}

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

/**
 * A `kernels.NAME` table whose NAME is none of the package's kernels would never apply, so
 * its expectations would silently never run: an error naming the table and the kernels.
 */
export function checkKernelTables(config: PackageConfig, kernels: string[], where: string): void {
  for (const name of config.kernels.keys()) {
    if (kernels.includes(name)) continue;
    const known = kernels.length > 0 ? `its kernels are ${[...new Set(kernels)].sort().join(', ')}` : 'it has no test or binary targets';
    throw usageError(`${where}.kernels.${name}: matches no kernel of this package (${known}); name a test file's stem (tests/NAME.rs) or a binary`);
  }
}

/** The settings for one kernel: defaults, then the package's, then the kernel's own. */
export function kernelConfig(pkg: PackageConfig | undefined, kernel: string, overrides: Partial<KernelConfig> = {}): KernelConfig {
  return { ...DEFAULT_CONFIG, ...pkg?.defaults, ...pkg?.kernels.get(kernel), ...overrides };
}

/**
 * A screen expectation of a kernel booting on UEFI could only fail, for a reason that is not
 * the kernel's: it is a configuration error. `why` says where the firmware was chosen.
 */
export function refuseScreenKeys(config: KernelConfig, kernel: string, why: string): void {
  if (config.firmware !== 'uefi') return;
  // Unset is undefined or an empty list.
  const set = Object.entries(SCREEN_KEYS).filter(([, field]) => (config[field]?.length ?? 0) > 0).map(([key]) => key);
  if (set.length === 0) return;
  throw usageError(
    `kernel ${kernel}: ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set, but it boots with UEFI firmware (${why}), ` +
      'where there is no VGA text screen to read (the firmware leaves the display in a graphics mode). ' +
      `Leave ${set.length > 1 ? 'them' : 'it'} out (${set.map((key) => `--${key}`).join(', ')} on the command line, or the key in [${METADATA_TABLE}]; ` +
      `a list can be set to [] for this kernel alone under [${METADATA_TABLE}.kernels.${kernel}]), or boot it with --firmware bios.`,
  );
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
