// Values of the result model for reporter tests: one test, one kernel, plain defaults that
// each test file or test overrides field by field.
import type { KernelResult, TestResult } from '../../src/model.js';

export function testResult(number: number, name: string, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult {
  return { number, name, status, diagnostics: [], subtests: [], ...extra };
}

/**
 * A passing kernel `kernel/NAME`. Giving `package: undefined` makes it a `--kernel` image,
 * whose id is its name alone.
 */
export function kernelResult(name: string, extra: Partial<KernelResult> = {}): KernelResult {
  const pkg = 'package' in extra ? extra.package : 'kernel';
  return {
    id: pkg ? `${pkg}/${name}` : name,
    name,
    package: 'kernel',
    image: `/target/${name}`,
    status: 'pass',
    tests: [],
    serialFormat: 'ktap',
    lastSerialLines: [],
    serialBytes: 0,
    artifacts: { dir: `/artifacts/${name}`, serialLog: `/artifacts/${name}/serial.log` },
    durationMs: 1000,
    qemuCommand: [],
    ...extra,
  };
}
