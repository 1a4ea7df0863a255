import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelConfig } from '../project/config.js';
import type { ImageKind, KernelResult } from '../model.js';
import { boot } from '../qemu/boot.js';
import { SerialCapture } from '../capture/serial.js';
import type { Accelerator } from '../qemu/accel.js';
import type { BootOverrides } from '../qemu/args.js';
import { FIRMWARE_LOG, type Ovmf } from '../qemu/firmware.js';
import type { GdbPort } from '../qemu/gdb.js';
import { decodeVgaBuffer, screenText } from '../capture/vga.js';
import { describeFsError } from '../errors.js';
import { judge } from '../verdict/judge.js';
import { withExpectedFailures } from '../verdict/expected-failure.js';
import { BootObservers } from './observers.js';

/** One kernel to boot, with everything decided about it. */
export interface KernelPlan {
  /** Unique within the run (`uniqueIds`): folders, filters, shards, the cache and reporters use it. */
  id: string;
  name: string;
  package?: string;
  image: string;
  imageKind: ImageKind;
  config: KernelConfig;
  artifactsDir: string;
  /** The ELF file with the kernel's symbols, for a debugger (`--gdb`), when there is one. */
  symbols?: string;
  /** The Cargo workspace root: Rust prints panic locations relative to it. */
  sourceRoot?: string;
  /** Its own QEMU program (a bootimage run-command's), instead of the run's. */
  qemu?: string;
  /** How it boots when not as its image kind says (a bootimage project's settings). */
  overrides?: BootOverrides;
}

export interface RunSettings {
  qemu: string;
  accel: Accelerator;
  extraQemuArgs: string[];
  /** Words after `alloc-runner` on a Multiboot command line (`--filter-test`). */
  cmdlineWords?: string[];
  /** OVMF's files, for kernels whose firmware is `uefi`. */
  ovmf?: Ovmf;
  /**
   * vga.png for every kernel (`--screenshot`); unset: not for one whose serial output shows no
   * failure when it asks for its screen (its vga.txt is kept all the same).
   */
  screenshots?: boolean;
  /** Called with every serial line as it arrives (`--verbose`, `alloc-runner run`). */
  onLine?: (kernel: KernelPlan, line: string) => void;
  /** `--gdb`: the kernel waits for a debugger on this port; `waiting` is called once it does. */
  gdb?: { port: GdbPort; waiting: (kernel: KernelPlan) => void };
}

/** QEMU's stderr, as the boot keeps it (its last 8 KiB). */
const QEMU_STDERR_LOG = 'qemu.stderr.log';

/** Boots one kernel, parses what it printed and gives its verdict. */
export async function runKernel(plan: KernelPlan, settings: RunSettings): Promise<KernelResult> {
  await mkdir(plan.artifactsDir, { recursive: true });
  let { booted, capture, observers } = await bootOnce(plan, settings);
  if (booted.ending.kind === 'kvm-failed' && settings.accel.fallBackFromKvm()) {
    const kvmFailure = booted.ending.message;
    // The failed boot's logs are kept beside the new ones; its lines do not count.
    await rename(capture.logPath, join(plan.artifactsDir, 'serial.kvm-failed.log'));
    await rename(capture.timesPath, join(plan.artifactsDir, 'serial.kvm-failed.times')).catch(() => {}); // absent if it could not be written
    await writeFile(join(plan.artifactsDir, 'qemu.stderr.kvm-failed.log'), `${booted.qemuStderr}\n`).catch(() => {}); // KVM's own words on its failure
    ({ booted, capture, observers } = await bootOnce(plan, settings));
    booted.accelerator = `tcg, after KVM failed (${kvmFailure})`;
  }
  const { parser, watch, lastLines } = observers;

  const serial = parser.finish();
  const screen = booted.vgaBuffer && decodeVgaBuffer(booted.vgaBuffer);
  const text = screen && screenText(screen);
  // The last screen counts for fail-when-vga too: a kernel that exits is not watched to its end.
  if (text !== undefined) watch.screen(text, booted.durationMs / 1000);
  const artifacts: KernelResult['artifacts'] = { dir: plan.artifactsDir, serialLog: capture.logPath, serialTimes: capture.timesPath, screenshot: booted.screenshot };
  if (plan.config.firmware === 'uefi') artifacts.firmwareLog = join(plan.artifactsDir, FIRMWARE_LOG);
  const incomplete = [...booted.incompleteArtifacts, ...capture.incomplete()];
  if (text !== undefined) artifacts.screenText = await writeArtifact(plan.artifactsDir, 'vga.txt', text, incomplete, 'the screen is in the report');
  // Only when QEMU printed anything: most boots then write no file at all.
  if (booted.qemuStderr) artifacts.qemuStderr = await writeArtifact(plan.artifactsDir, QEMU_STDERR_LOG, booted.qemuStderr, incomplete, "QEMU's messages were not kept");
  if (incomplete.length > 0) artifacts.incomplete = incomplete;
  const verdict = judge(
    {
      ending: booted.ending,
      serial,
      screenText: text,
      noScreenReason: booted.noScreenReason,
      unmatchedPatterns: observers.unmatchedPatterns(),
      decision: watch.decision,
      waitedFor: watch.waitedFor(),
    },
    plan.config,
  );
  return {
    id: plan.id,
    name: plan.name,
    package: plan.package,
    image: plan.image,
    status: verdict.status,
    reason: verdict.reason,
    decidedBy: verdict.decidedBy,
    exitStatus: booted.ending.kind === 'exited' ? booted.ending.status : undefined,
    tests: withExpectedFailures(serial.tests, plan.config, verdict.status),
    plannedTests: serial.plannedTests,
    inFlight: serial.inFlight,
    serialFormat: serial.format,
    panic: serial.panic,
    lastSerialLines: lastLines,
    serialBytes: capture.bytes,
    screenText: text,
    screen,
    noScreenReason: screen ? undefined : booted.noScreenReason,
    artifacts,
    durationMs: booted.durationMs,
    accelerator: booted.accelerator,
    qemuCommand: booted.command,
    sourceRoot: plan.sourceRoot,
  };
}

/** Writes one artifact, the path when it did; a failure (a full disk) goes to `incomplete`, never ends the run. */
async function writeArtifact(dir: string, name: string, text: string, incomplete: string[], otherwise: string): Promise<string | undefined> {
  const path = join(dir, name);
  try {
    await writeFile(path, `${text}\n`);
    return path;
  } catch (error) {
    incomplete.push(`${name}: ${describeFsError(error)}; ${otherwise}`);
    return undefined;
  }
}

/** One boot of the kernel, with its serial capture and the observers of its lines, all its own. */
async function bootOnce(plan: KernelPlan, settings: RunSettings) {
  const echo = settings.onLine;
  const observers = new BootObservers(plan.config, echo && ((line) => echo(plan, line)));
  const capture = new SerialCapture({ dir: plan.artifactsDir, onLine: (line, atMs) => observers.line(line, atMs) });
  const booted = await boot({
    qemu: plan.qemu ?? settings.qemu,
    image: plan.image,
    imageKind: plan.imageKind,
    accel: settings.accel.args(),
    extraArgs: [...plan.config.qemuArgs, ...settings.extraQemuArgs],
    cmdlineWords: settings.cmdlineWords,
    overrides: plan.overrides,
    firmware: plan.config.firmware,
    ovmf: settings.ovmf,
    timeoutSeconds: plan.config.timeout,
    artifactsDir: plan.artifactsDir,
    serial: capture,
    watch: observers.screenWatch,
    screenshotAtHandshake: () => settings.screenshots === true || observers.parser.failedSoFar,
    gdb: settings.gdb && { port: settings.gdb.port, waiting: () => settings.gdb?.waiting(plan) },
  });
  return { booted, capture, observers };
}
