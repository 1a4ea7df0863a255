import { describe, expect, it } from 'vitest';
import { DEFAULT_QEMU, defaultQemu } from '../../src/environment.js';

describe('defaultQemu', () => {
  it('is ALLOC_RUNNER_QEMU where it names a program', () => {
    expect(defaultQemu({ ALLOC_RUNNER_QEMU: '/opt/qemu/bin/qemu-system-x86_64' })).toBe('/opt/qemu/bin/qemu-system-x86_64');
  });

  // CI variables are often defined but blank: a blank one would make the first PATH folder "QEMU".
  it.each([[undefined], [''], ['   '], ['\t\n']])('is qemu-system-x86_64 when ALLOC_RUNNER_QEMU is %j', (value) => {
    expect(defaultQemu(value === undefined ? {} : { ALLOC_RUNNER_QEMU: value })).toBe(DEFAULT_QEMU);
  });
});
