import { describe, expect, it } from 'vitest';
import type { KernelResult } from '../../src/model.js';
import { parseDepInfo } from '../../src/run/watch-files.js';
import { allTotals } from '../../src/run/watch.js';

describe("Cargo's dep-info", () => {
  it('lists each dependency once, with escaped spaces, comments left out', () => {
    const text = [
      '/t/deps/heap_basics-1.d: kernel/tests/heap_basics.rs kernel/src/my\\ file.rs',
      '',
      '/t/deps/heap_basics-1: kernel/tests/heap_basics.rs kernel/src/my\\ file.rs',
      '',
      'kernel/tests/heap_basics.rs:',
      '# env-dep:CARGO_PKG_NAME=kernel',
    ].join('\n');
    expect(parseDepInfo(text)).toEqual(['kernel/tests/heap_basics.rs', 'kernel/src/my file.rs']);
  });
});

describe('the totals for all kernels', () => {
  const kernel = (id: string, status: KernelResult['status'], tests: Array<'pass' | 'fail'>) =>
    ({ id, status, tests: tests.map((result, index) => ({ number: index + 1, name: `t${index}`, status: result, diagnostics: [], subtests: [] })) }) as unknown as KernelResult;
  it('names the kernels that did not pass', () => {
    expect(allTotals([kernel('kernel/a', 'pass', ['pass']), kernel('kernel/b', 'fail', ['pass', 'fail'])])).toBe('all 2 kernels: 1 passed, 1 did not (kernel/b); 2 passed, 1 failed');
    expect(allTotals([kernel('kernel/a', 'pass', ['pass'])])).toBe('all 1 kernel: 1 passed; 1 passed, 0 failed');
  });
});
