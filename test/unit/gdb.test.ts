import { describe, expect, it, vi } from 'vitest';
import { attachCommand, attachInstructions, debuggerProgram, parseGdbPort } from '../../src/qemu/gdb.js';
import { KernelTimeout } from '../../src/qemu/timeout.js';
import { requireOneKernel } from '../../src/run/debugger.js';
import type { KernelPlan } from '../../src/run/kernel.js';

describe('--gdb PORT', () => {
  it('is any free port without a value, else a port from 1 to 65535', () => {
    expect(parseGdbPort(true)).toBeUndefined();
    expect(parseGdbPort('1234')).toBe(1234);
    for (const bad of ['0', '65536', '12.5', '-1', 'abc', '']) {
      expect(() => parseGdbPort(bad)).toThrow(`--gdb ${bad}: expected a TCP port from 1 to 65535, or --gdb alone for a free one`);
    }
  });
});

describe('the attach command', () => {
  it('connects to the port and loads the symbols', () => {
    expect(attachCommand('gdb', 1234, '/t/deps/heap_basics-0a1b')).toBe("gdb -q -ex 'target remote 127.0.0.1:1234' -ex 'symbol-file /t/deps/heap_basics-0a1b'");
    expect(attachCommand('gdb', 1234, undefined)).toBe("gdb -q -ex 'target remote 127.0.0.1:1234'");
  });

  it('quotes a path with blanks or quotes for gdb and for the shell', () => {
    expect(attachCommand('gdb', 1, "/my dir/it's")).toBe(`gdb -q -ex 'target remote 127.0.0.1:1' -ex 'symbol-file "/my dir/it'\\''s"'`);
  });

  it('is rust-gdb where both it and gdb are installed', () => {
    expect(debuggerProgram((name) => `/usr/bin/${name}`)).toBe('rust-gdb');
    expect(debuggerProgram((name) => (name === 'gdb' ? '/usr/bin/gdb' : undefined))).toBe('gdb');
    expect(debuggerProgram((name) => (name === 'rust-gdb' ? '/bin/rust-gdb' : undefined))).toBe('gdb');
  });

  it('comes with a hardware breakpoint on the crate main, and how to get gdb when it is missing', () => {
    const text = attachInstructions({ id: 'kernel/heap_basics', crate: 'heap_basics', symbols: '/k' }, 9, 'gdb', false);
    expect(text).toContain('kernel/heap_basics is paused before its first instruction, waiting for a debugger on 127.0.0.1:9');
    expect(text).toContain('`hbreak heap_basics::main`');
    expect(text).toContain('gdb is not installed; install it: on Debian or Ubuntu `sudo apt-get install gdb`');
    expect(attachInstructions({ id: 'boot.img' }, 9, 'gdb', true)).toContain('no symbols');
  });
});

describe('one kernel to debug', () => {
  const plan = (name: string) => ({ id: `kernel/${name}`, name, package: 'kernel', image: `/t/${name}` }) as KernelPlan;
  it('names the candidates when there are several', () => {
    expect(() => requireOneKernel([plan('a')])).not.toThrow();
    expect(() => requireOneKernel([plan('a'), plan('b')])).toThrow('--gdb debugs one kernel, but 2 are selected (kernel/a, kernel/b): choose one with --filter-kernel NAME');
  });
});

describe('KernelTimeout', () => {
  it('stops while paused and goes on with the time it had left', () => {
    vi.useFakeTimers();
    try {
      const fire = vi.fn();
      const timeout = new KernelTimeout(3000, fire);
      timeout.start();
      vi.advanceTimersByTime(2000);
      timeout.pause();
      vi.advanceTimersByTime(60_000);
      expect(fire).not.toHaveBeenCalled();
      timeout.start();
      vi.advanceTimersByTime(999);
      expect(fire).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(fire).toHaveBeenCalledOnce();
      timeout.start();
      vi.advanceTimersByTime(10_000);
      expect(fire).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('never fires once cleared', () => {
    vi.useFakeTimers();
    try {
      const fire = vi.fn();
      const timeout = new KernelTimeout(10, fire);
      timeout.start();
      timeout.clear();
      timeout.start();
      vi.advanceTimersByTime(100);
      expect(fire).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
