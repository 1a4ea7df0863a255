// `[package.metadata.alloc-runner]` arrives as whatever JSON `cargo metadata` makes of the
// user's TOML. Whatever it is, parsing either gives well-typed settings or throws the
// usage error, naming the key that is wrong; nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExitCode, RunnerError } from '../../src/errors.js';
import { CONFIG_KEYS, kernelConfig, METADATA_TABLE, parsePackageConfig, type KernelConfig } from '../../src/project/config.js';

const RUNS = 4000;

// Keys that look up things on every object: a table may use them as names too.
const objectKeys = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf');
const key = fc.oneof(fc.constantFrom(...CONFIG_KEYS), objectKeys, fc.string({ maxLength: 12 }));

const goodValue = fc.oneof(
  fc.constantFrom('pass', 'fail'),
  fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  fc.integer({ min: 0, max: 255 }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
  fc.array(fc.constantFrom('ok \\d+', '^heap', '(', '[a-', 'a{2,1}', '\\', '(?<n>x)'), { maxLength: 3 }),
  fc.constantFrom('Allocator works!', 'panicked at', '(', '', 'ok \\d+'),
  fc.integer({ min: 0, max: 20_000 }),
);
const anyValue = fc.oneof(goodValue, fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, -1, 0, 256, 1.5, Number.MAX_VALUE, '', [], {}));

/** Builds tables from entries so that a key like `__proto__` becomes an own key, as JSON.parse makes it. */
const table = (entries: fc.Arbitrary<[string, unknown]>) => fc.array(entries, { maxLength: 6 }).map((pairs) => Object.fromEntries(pairs));
const settings = table(fc.tuple(key, anyValue));
const metadata = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(settings, fc.option(fc.oneof(table(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), objectKeys), fc.oneof(settings, anyValue))), anyValue)))
      .map(([defaults, kernels]) => (kernels === null ? defaults : { ...defaults, kernels })),
  },
);

/** Every key path in `value` a message may name: the table, its keys, its kernels and their keys. */
function keyPaths(value: unknown): string[] {
  const paths = [METADATA_TABLE];
  if (!isTable(value)) return paths;
  for (const [name, inner] of Object.entries(value)) {
    paths.push(`${METADATA_TABLE}.${name}`);
    if (name !== 'kernels' || !isTable(inner)) continue;
    for (const [kernel, overrides] of Object.entries(inner)) {
      paths.push(`${METADATA_TABLE}.kernels.${kernel}`);
      if (isTable(overrides)) for (const setting of Object.keys(overrides)) paths.push(`${METADATA_TABLE}.kernels.${kernel}.${setting}`);
    }
  }
  return paths;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSettings(config: KernelConfig): void {
  expect(config.timeout).toBeGreaterThan(0);
  for (const status of [config.successStatus, config.failureStatus, config.exitStatus ?? 0]) {
    expect(Number.isInteger(status) && status >= 0 && status <= 255).toBe(true);
  }
  for (const list of [config.vgaContains, config.vgaExcludes, config.serialMatches, config.qemuArgs]) {
    expect(Array.isArray(list) && list.every((item) => typeof item === 'string')).toBe(true);
  }
  for (const list of [config.failWhenVga, config.failWhenSerial]) {
    expect(Array.isArray(list) && list.every((item) => typeof item === 'string' && item !== '')).toBe(true);
  }
  for (const text of [config.passWhenVga, config.passWhenSerial]) expect(text === undefined || (typeof text === 'string' && text !== '')).toBe(true);
  for (const pattern of [...config.serialMatches, ...config.failWhenSerial, config.passWhenSerial ?? '']) expect(() => new RegExp(pattern)).not.toThrow();
  expect(['fail', 'pass']).toContain(config.noTests);
  expect(['bios', 'uefi']).toContain(config.firmware);
  expect(Number.isInteger(config.vgaPollMs) && config.vgaPollMs >= 10 && config.vgaPollMs <= 10_000).toBe(true);
  expect(Object.keys(config).sort()).toEqual(expect.arrayContaining(['timeout', 'successStatus', 'failureStatus']));
  for (const name of Object.keys(config)) {
    expect([
      'timeout',
      'successStatus',
      'failureStatus',
      'exitStatus',
      'vgaContains',
      'vgaExcludes',
      'serialMatches',
      'qemuArgs',
      'passWhenVga',
      'passWhenSerial',
      'failWhenVga',
      'failWhenSerial',
      'vgaPollMs',
      'noTests',
      'firmware',
    ]).toContain(name);
  }
}

// Thousands of runs take seconds on a loaded machine: the timeout only guards against a hang.
describe('configuration parsing, fuzzed', { timeout: 60_000 }, () => {
  it('gives well-typed settings or a usage error naming a key of the input, never anything else', () => {
    fc.assert(
      fc.property(metadata, fc.string({ maxLength: 8 }), (input, kernel) => {
        let config;
        try {
          config = parsePackageConfig(input);
        } catch (error) {
          expect(error).toBeInstanceOf(RunnerError);
          expect((error as RunnerError).exitCode).toBe(ExitCode.Usage);
          const message = (error as Error).message;
          expect(keyPaths(input).some((path) => message.startsWith(`${path}: `)), message).toBe(true);
          return;
        }
        checkSettings(kernelConfig(config, kernel));
        for (const name of config.kernels.keys()) checkSettings(kernelConfig(config, name));
      }),
      { numRuns: RUNS },
    );
  });

  it('treats names that every object has as the unknown keys they are', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const input = JSON.parse(`{"${name}": {"timeout": -5}}`) as unknown;
      expect(() => parsePackageConfig(input)).toThrow(`${METADATA_TABLE}.${name}: unknown key`);
      const nested = JSON.parse(`{"kernels": {"k": {"${name}": 1}}}`) as unknown;
      expect(() => parsePackageConfig(nested)).toThrow(`${METADATA_TABLE}.kernels.k.${name}: unknown key`);
    }
  });
});
