// The result model (every reporter turns this one shape into its own format), and the types
// that pass from one stage to the next.
import type { Readable } from 'node:stream';

/** The firmware a kernel boots with: SeaBIOS (QEMU's default) or OVMF, the UEFI firmware of EDK II. */
export type Firmware = 'bios' | 'uefi';

/** How QEMU is to boot a file: as a Multiboot kernel, a raw disk or a CD image. */
export type ImageKind = 'multiboot' | 'disk' | 'iso';

/** Shard K of N of a run's kernels (`--shard K/N`). */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** What reads QEMU's serial output (its stdout) to the end (the capture stage), asking the boot what it needs. */
export interface SerialReader {
  read(output: Readable, boot: SerialControls): Promise<void>;
}

/** What the serial side may ask of the running boot. */
export interface SerialControls {
  /** Milliseconds since the guest started (monotonic); 0 before it did. */
  guestMs(): number;
  /** Reads the screen, once a boot (a second call waits for the same reading). */
  readScreen(): Promise<void>;
  /** Writes to the kernel's COM1. */
  send(text: string): void;
  /** A condition decided the run: QEMU is stopped, its screen read, and it is killed. */
  decide(): void;
}

/** The VGA text screen as QEMU's memory holds it at 0xb8000: 80x25 cells. */
export interface VgaScreen {
  /** 25 rows of 80 characters each, untrimmed. */
  rows: string[];
  /** The attribute byte of each cell, row by row: low nibble foreground, bits 4-6 background. */
  attributes: number[][];
}

/** Where a kernel panicked, as printed by `panicked at FILE:LINE:COL:` and the lines after it. */
export interface PanicInfo {
  message: string;
  file: string;
  line: number;
  column: number;
}

/** A span of serial.log's lines, numbered from 1 as the file has them (`\n` ends a line), both ends included. */
export interface SerialLines {
  first: number;
  last: number;
}

/**
 * pass: the test passed. fail: it failed (a parent also when a subtest failed or did not
 * run). skip: the kernel skipped it (`# SKIP`). xfail: it failed as expected (`# XFAIL` in
 * KTAP, `# TODO` in TAP), which counts as passing. notrun: planned, but the kernel never
 * reported it (it crashed, hung or exited first), which fails the kernel.
 */
export type TestStatus = 'pass' | 'fail' | 'skip' | 'xfail' | 'notrun';

export interface TestResult {
  /** 1-based position as the kernel numbered it (KTAP), or its order of appearance. */
  number: number;
  name: string;
  status: TestStatus;
  /** Why it failed, was skipped or is expected to fail: the KTAP directive text or the panic. */
  reason?: string;
  panic?: PanicInfo;
  /** Diagnostic lines (`# ...`, without the `# `) that the kernel printed for this test. */
  diagnostics: string[];
  /** The test's own output: the other lines it printed before its result (KTAP's "unknown lines"). */
  output?: string[];
  /** Nested KTAP subtests, if any. */
  subtests: TestResult[];
  /** From the previous result line at its level (or its document's start) to its own; absent for a test not run. */
  durationMs?: number;
  /** Figures from `# heap: key=value ...` diagnostics (integers), by key; the last line wins. */
  metrics?: Record<string, number>;
  /**
   * The lines of serial.log that belong to it: the span its duration covers, from the line
   * after the previous result at its level (or its document's start) to its own result line.
   * For the first test not run of a level, what the kernel printed after the last result
   * until the level ended. Absent when there are none.
   */
  serialLines?: SerialLines;
}

/** What the serial parser makes of a kernel's output. */
export interface SerialReport {
  format: 'ktap' | 'blog_os' | 'none';
  /** The number of tests the kernel announced (`1..N`, `Running N tests`), if it did. */
  plannedTests?: number;
  tests: TestResult[];
  /** A test that started (blog_os `name...`) and had no result when the output ended: it was running. */
  inFlight?: string;
  /** A panic that happened outside any test result line. */
  panic?: PanicInfo;
  /** Broken promises of the output itself: duplicate numbers, results after a panic. */
  problems: string[];
}

/** How one boot ended, as QEMU's exit, its QMP events and the runner saw it: what the verdict judges. */
export type Ending =
  | { kind: 'exited'; status: number }
  | { kind: 'reset' }
  /** The guest reset again and again (reboots allowed by the QEMU arguments): ended early. */
  | { kind: 'reboot-loop'; resets: number }
  | { kind: 'shutdown'; reason: string }
  | { kind: 'timeout'; seconds: number }
  /** A condition of the run's watch decided it (`pass-when-*`, `fail-when-*`); QEMU was stopped. */
  | { kind: 'decided' }
  | { kind: 'qemu-failed'; message: string }
  /** KVM stopped the guest with an internal error (it could not emulate an instruction). */
  | { kind: 'kvm-failed'; message: string }
  /** alloc-runner was interrupted (Ctrl-C, SIGTERM) and stopped QEMU. */
  | { kind: 'interrupted' };

/**
 * pass: exited as expected with every test passing. fail: a test failed, or an expectation
 * did not hold. crash: reset, triple fault, reboot loop or shutdown. hang: no exit within
 * the timeout. error: QEMU itself could not run the kernel. interrupted: alloc-runner was
 * stopped (Ctrl-C, SIGTERM) while the kernel ran.
 */
export type KernelStatus = 'pass' | 'fail' | 'crash' | 'hang' | 'error' | 'interrupted';

export interface KernelResult {
  /** Unique within a run: `package/name`, qualified where needed (`blog_os/blog_os[lib]`); how reporters name the kernel. */
  id: string;
  /** The Cargo target's name, or the image's file name for `--kernel`. */
  name: string;
  /** The Cargo package, when Cargo built it. */
  package?: string;
  image: string;
  status: KernelStatus;
  /** Why the kernel did not pass. */
  reason?: string;
  /** What ended a passing run before the kernel exited: `the screen showed "Allocator works!" after 0.41 s`. */
  decidedBy?: string;
  /** QEMU's exit status, when it exited by itself. */
  exitStatus?: number;
  tests: TestResult[];
  plannedTests?: number;
  /** The test that was running when the kernel stopped (blog_os names each test as it starts). */
  inFlight?: string;
  serialFormat: SerialReport['format'];
  /** A panic outside any test result. */
  panic?: PanicInfo;
  lastSerialLines: string[];
  /** Bytes the kernel wrote to serial, all of them, whether or not the log kept them. */
  serialBytes: number;
  /** The VGA text screen as text (80 columns, trailing blanks trimmed). */
  screenText?: string;
  /** The screen's cells with their colours, for reporters that draw them. */
  screen?: VgaScreen;
  noScreenReason?: string;
  artifacts: {
    dir: string;
    serialLog: string;
    /** When each serial.log line arrived, one a line, in ms since the guest started. */
    serialTimes?: string;
    screenText?: string;
    screenshot?: string;
    /** OVMF's debug output, for kernels booted with UEFI firmware. */
    firmwareLog?: string;
    /** qemu.stderr.log: what QEMU printed on stderr (its last 8 KiB), when it printed anything. */
    qemuStderr?: string;
    /** Artifacts that could not be written whole (a full disk), each as `file: why`. */
    incomplete?: string[];
  };
  durationMs: number;
  accelerator?: string;
  qemuCommand: string[];
  /** The folder panic locations are relative to (the Cargo workspace root), for reporters that link to files. */
  sourceRoot?: string;
  /** Not booted: this image, with this configuration and these QEMU arguments, passed before (`--cache`). */
  cached?: boolean;
}
