import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import type { ImageKind } from '../image/kind.js';
import type { Ending } from '../model.js';
import { HANDSHAKE_LINE } from '../protocol.js';
import { decodeVgaBuffer, screenText, VGA_BUFFER_ADDRESS, VGA_BUFFER_BYTES, type VgaScreen } from '../capture/vga.js';
import { qemuArgs, type BootOverrides } from './args.js';
import { QmpClient } from './qmp.js';
import { interruptedAsItEnded, startQemu, type QemuExit } from './process.js';
import { makePrivateDir, QMP_SOCKET_NAME, removePrivateDir } from './private-dir.js';
import { firmwareArgs, type Firmware, type Ovmf } from './firmware.js';
import { GDB_SOCKET_NAME, gdbStubArgs, type GdbPort } from './gdb.js';
import { KernelTimeout } from './timeout.js';

export interface BootOptions {
  qemu: string;
  image: string;
  imageKind: ImageKind;
  accel: string[];
  extraArgs: string[];
  /** Words after `alloc-runner` on a Multiboot command line. */
  cmdlineWords?: string[];
  overrides?: BootOverrides;
  /** SeaBIOS unless `uefi`, which needs `ovmf`. */
  firmware?: Firmware;
  ovmf?: Ovmf;
  timeoutSeconds: number;
  /** Where vga.png goes (and OVMF's log). */
  artifactsDir: string;
  /** Reads the kernel's serial output: the capture stage. */
  serial: SerialReader;
  /** Conditions on the screen that may end the run before the kernel exits. */
  watch?: ScreenWatch;
  /** `--gdb`: the kernel waits, paused, for a debugger on this port; `waiting` is called once it does. */
  gdb?: { port: GdbPort; waiting: () => void };
}

/** What reads QEMU's serial output (its stdout) to the end, asking the boot what it needs. */
export interface SerialReader {
  read(output: AsyncIterable<Buffer>, boot: SerialControls): Promise<void>;
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

/** What the boot asks while the kernel runs: the screen, while it is wanted. */
export interface ScreenWatch {
  /** The screen's text, `seconds` after the kernel started; true ends the run. */
  screen(text: string, seconds: number): boolean;
  /** Whether the screen is to be read now. */
  readonly watchesScreen: boolean;
  /** Milliseconds between two reads of the screen. */
  readonly pollMs: number;
}

export interface BootResult {
  ending: Ending;
  screen?: VgaScreen;
  /** Why there is no screen, when there is none. */
  noScreenReason?: string;
  screenshot?: string;
  /** Artifacts that could not be written whole (a full disk), each as `file: why`. */
  incompleteArtifacts: string[];
  accelerator?: string;
  qemuStderr: string;
  durationMs: number;
  command: string[];
}

const STDERR_KEEP_BYTES = 8192;
export const TEXT_SCREEN_UNDER_UEFI = 'no VGA text screen under UEFI firmware (it leaves the display in a graphics mode); vga.png shows the display';
/**
 * Resets after which a guest that keeps rebooting (when the QEMU arguments allow reboots)
 * is ended as a crash. SeaBIOS adds a reset of its own to each reboot: 10 is 5 boots.
 */
const MAX_RESETS = 10;
/** How long QEMU gets to stop and show its screen at a timeout or a decision before it is killed. */
const STOP_ANSWER_LIMIT_MS = 5000;

/**
 * How long QEMU gets to connect to the QMP socket: 10 s, or ALLOC_RUNNER_QMP_CONNECT_TIMEOUT
 * seconds (the fault tests shorten it for a "QEMU" that never connects).
 */
function qmpConnectTimeoutMs(): number {
  const seconds = Number(process.env.ALLOC_RUNNER_QMP_CONNECT_TIMEOUT);
  return seconds > 0 ? seconds * 1000 : 10_000;
}

/** Boots one image in QEMU and follows it to its end, reading the screen on the way out. */
export async function boot(options: BootOptions): Promise<BootResult> {
  const privateDir = await makePrivateDir();
  try {
    return await bootIn(privateDir, options);
  } finally {
    await removePrivateDir(privateDir);
  }
}

async function bootIn(privateDir: string, options: BootOptions): Promise<BootResult> {
  const qmpSocket = join(privateDir, QMP_SOCKET_NAME);
  const gdbSocket = join(privateDir, GDB_SOCKET_NAME);
  const args = qemuArgs({
    image: options.image,
    kind: options.imageKind,
    qmpSocket,
    accel: options.accel,
    extraArgs: options.gdb ? [...gdbStubArgs(gdbSocket), ...options.extraArgs] : options.extraArgs,
    cmdlineWords: options.cmdlineWords,
    overrides: options.overrides,
    firmwareArgs: await firmwareArgs(options.firmware ?? 'bios', options.ovmf, privateDir, options.artifactsDir),
  });
  const result: BootResult = {
    ending: { kind: 'qemu-failed', message: 'QEMU did not start' },
    incompleteArtifacts: [],
    qemuStderr: '',
    durationMs: 0,
    command: [options.qemu, ...args],
  };
  // UEFI firmware leaves the display in a graphics mode: 0xb8000 is no screen, only vga.png is.
  const textScreen = options.firmware !== 'uefi';
  if (!textScreen) result.noScreenReason = TEXT_SCREEN_UNDER_UEFI;

  const qmpServer = createServer();
  qmpServer.listen(qmpSocket);
  await once(qmpServer, 'listening');
  const { child: qemu, exited: exit, kill: killQemu } = startQemu(options.qemu, args);

  let stderr = '';
  qemu.stderr.setEncoding('utf8');
  qemu.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_BYTES);
  });

  let qmp: QmpClient | undefined;
  let guestEnding: Ending | undefined;
  let timedOut = false;
  let screenRead: Promise<void> | undefined;
  const takeScreen = (): Promise<void> => (screenRead ??= readScreen());
  const readScreen = async (): Promise<void> => {
    if (!qmp) return;
    try {
      if (textScreen) {
        const raw = join(privateDir, 'vga.bin');
        await qmp.execute('pmemsave', { val: VGA_BUFFER_ADDRESS, size: VGA_BUFFER_BYTES, filename: raw });
        result.screen = decodeVgaBuffer(await readFile(raw));
      }
      const png = join(options.artifactsDir, 'vga.png');
      await qmp.execute('screendump', { filename: png, format: 'png' });
      result.screenshot = png;
    } catch (error) {
      if (!result.screen && textScreen) result.noScreenReason = `reading the screen through QMP failed: ${(error as Error).message}`;
      else result.incompleteArtifacts.push(`vga.png: QEMU could not write it (${(error as Error).message})`);
    }
  };

  // Monotonic: serial line times and the conditions' seconds count from here.
  let guestStartedAt: number | undefined;
  const guestMs = () => (guestStartedAt === undefined ? 0 : performance.now() - guestStartedAt);
  const kernelSeconds = () => guestMs() / 1000;
  // Set when a condition ends the run: QEMU is then stopped, its screen read and killed.
  let decided = false;
  const endEarly = () => {
    if (decided || timedOut || guestEnding) return;
    decided = true;
    timeout.clear();
    void stopAndKill();
  };
  const stopAndKill = async () => {
    // A QEMU that no longer answers QMP (stopped by a debugger, wedged) is killed all the same.
    const unanswered = setTimeout(killQemu, STOP_ANSWER_LIMIT_MS);
    await qmp?.execute('stop').catch(() => {});
    await takeScreen();
    clearTimeout(unanswered);
    killQemu();
  };

  const serialDone = options.serial.read(qemu.stdout, {
    guestMs,
    readScreen: takeScreen,
    send: (text) => qemu.stdin.write(text),
    decide: endEarly,
  });

  let guestStarted = false;
  const timeout = new KernelTimeout(options.timeoutSeconds * 1000, () => {
    if (decided) return;
    timedOut = true;
    void stopAndKill();
  });
  const watchingScreen = new AbortController();
  let screenWatch: Promise<void> | undefined;
  let startFailure: string | undefined;
  let resets = 0;
  let stopDebugging: (() => void) | undefined;
  const started = Date.now();
  try {
    qmp = await QmpClient.accept(qmpServer, qmpConnectTimeoutMs(), exit);
    qmp.onEvent((event) => {
      if (event.event === 'STOP' && !timedOut) {
        void qmp?.execute('query-status').then((status) => {
          if ((status as { status?: string }).status !== 'internal-error') return;
          guestEnding = { kind: 'kvm-failed', message: 'KVM stopped the guest with an internal error' };
          void takeScreen().then(killQemu);
        }, () => {});
        return;
      }
      if (event.event === 'RESET' && event.data?.guest === true && !guestEnding && ++resets >= MAX_RESETS) {
        // Only reached when the QEMU arguments turned -no-reboot back into reboots.
        guestEnding = { kind: 'reboot-loop', resets };
        void (async () => {
          await qmp?.execute('stop').catch(() => {});
          await takeScreen();
          await qmp?.execute('quit').catch(() => {});
        })();
        return;
      }
      if (event.event !== 'SHUTDOWN' || event.data?.guest !== true) return;
      // Under -no-reboot a reset (a triple fault, too) becomes a shutdown; the guest is now paused.
      const reason = String(event.data.reason ?? 'unknown');
      guestEnding = reason === 'guest-reset' ? { kind: 'reset' } : { kind: 'shutdown', reason };
      void takeScreen().then(() => qmp?.execute('quit').catch(() => {}));
    });
    result.accelerator = await queryAccelerator(qmp);
    if (options.gdb) {
      options.gdb.port.relayTo(gdbSocket);
      stopDebugging = pauseTimeoutWhileAttached(options.gdb.port, timeout, qmp);
      options.gdb.waiting();
      await resumed(qmp, exit);
    } else {
      await qmp.execute('cont');
    }
    guestStarted = true;
    guestStartedAt = performance.now();
    if (!options.gdb?.port.attached) timeout.start();
    if (textScreen && options.watch?.watchesScreen) {
      const watch = options.watch;
      const live = () => !decided && !timedOut && !guestEnding && watch.watchesScreen;
      screenWatch = watchScreen(qmp, join(privateDir, 'watch.bin'), watch, watchingScreen.signal, live, kernelSeconds).then((ended) => {
        if (ended) endEarly();
      });
    }
  } catch (error) {
    killQemu();
    startFailure = (error as Error).message;
  }

  const outcome = await exit;
  result.durationMs = Date.now() - started;
  timeout.clear();
  stopDebugging?.();
  options.gdb?.port.relayTo(undefined);
  watchingScreen.abort();
  await screenWatch;
  qmp?.close();
  qmpServer.close();
  await serialDone;
  result.qemuStderr = stderr.trim();

  if (timedOut) {
    result.ending = { kind: 'timeout', seconds: options.timeoutSeconds };
  } else if (decided && outcome.signal === 'SIGKILL') {
    // Killed by us; a kernel that exited on its own before QEMU was stopped is judged by its exit.
    result.ending = { kind: 'decided' };
  } else if (guestEnding?.kind === 'kvm-failed') {
    result.ending = { kind: 'kvm-failed', message: `${guestEnding.message}: ${kvmErrorLine(result.qemuStderr)}` };
  } else if (guestEnding) {
    result.ending = guestEnding;
  } else if (await interruptedAsItEnded(outcome)) {
    result.ending = { kind: 'interrupted' };
  } else if (outcome.spawnError) {
    result.ending = { kind: 'qemu-failed', message: `${options.qemu} could not be started: ${outcome.spawnError.message}` };
  } else if (options.gdb && result.qemuStderr.includes(GDB_KILLED)) {
    result.ending = { kind: 'qemu-failed', message: 'the debugger ended it (gdb `kill`) before it exited' };
  } else if (guestStarted && typeof outcome.exitCode === 'number') {
    result.ending = { kind: 'exited', status: outcome.exitCode };
  } else if (guestStarted) {
    result.ending = {
      kind: 'qemu-failed',
      message: `QEMU was killed by ${outcome.signal ?? 'an unknown cause'} while the kernel ran, not by alloc-runner (another process, or the out-of-memory killer)`,
    };
  } else {
    result.ending = { kind: 'qemu-failed', message: startFailureMessage(outcome, startFailure, result.qemuStderr) };
  }
  if (!result.screen && !result.noScreenReason) result.noScreenReason = noScreenReason(result.ending);
  return result;
}

/** What QEMU says on stderr when a debugger's `kill` ends it (with status 0, like a guest reset). */
const GDB_KILLED = 'Terminated via GDBstub';

/** Resolves when the guest first runs (a debugger's `continue`); rejects when QEMU ends first. */
function resumed(qmp: QmpClient, exit: Promise<QemuExit>): Promise<void> {
  return Promise.race([
    new Promise<void>((resolve) => qmp.onEvent((event) => event.event === 'RESUME' && resolve())),
    exit.then(() => {
      throw new Error('QEMU ended while the kernel waited for a debugger');
    }),
  ]);
}

/**
 * The timeout stops while a debugger is attached and goes on when it leaves. A debugger that
 * leaves the guest stopped (killed, or its connection lost) lets it run on to its verdict.
 */
function pauseTimeoutWhileAttached(port: GdbPort, timeout: KernelTimeout, qmp: QmpClient): () => void {
  return port.onAttach((attached) => {
    if (attached) {
      timeout.pause();
      return;
    }
    void qmp.execute('query-status').then(async (status) => {
      if (['debug', 'paused', 'prelaunch'].includes(String((status as { status?: string }).status))) await qmp.execute('cont');
      timeout.start();
    }, () => {});
  });
}

/**
 * Reads the screen every `watch.pollMs` while `live()` holds (the guest runs, nothing is
 * decided, a VGA condition is pending); true when the watch decided the run.
 */
async function watchScreen(
  qmp: QmpClient,
  file: string,
  watch: ScreenWatch,
  aborted: AbortSignal,
  live: () => boolean,
  seconds: () => number,
): Promise<boolean> {
  try {
    while (live()) {
      await sleep(watch.pollMs, undefined, { signal: aborted });
      if (!live()) return false;
      await qmp.execute('pmemsave', { val: VGA_BUFFER_ADDRESS, size: VGA_BUFFER_BYTES, filename: file });
      if (watch.screen(screenText(decodeVgaBuffer(await readFile(file))), seconds())) return true;
    }
  } catch {
    // Aborted, or QEMU went away while the screen was being read: the boot's end says why.
  }
  return false;
}

/** Why QEMU never ran the kernel: its own exit and stderr when it quit, else what the runner saw. */
function startFailureMessage(outcome: QemuExit, startFailure: string | undefined, stderr: string): string {
  const quit = outcome.signal === null;
  const what = quit || !startFailure ? `QEMU exited ${quit ? `with status ${outcome.exitCode}` : `on ${outcome.signal}`} before the kernel started` : `${startFailure}; QEMU was stopped`;
  return `${what}${stderr ? `: ${stderr}` : ' (it printed nothing on stderr)'}`;
}

function noScreenReason(ending: Ending): string {
  if (ending.kind === 'exited') return `the kernel exited without the screen handshake ("${HANDSHAKE_LINE}" on serial, see the README)`;
  if (ending.kind === 'interrupted') return 'alloc-runner was interrupted before the screen could be read';
  return 'QEMU ended before the screen could be read';
}

/** The line of QEMU's stderr that names the KVM failure. */
function kvmErrorLine(stderr: string): string {
  return stderr.split('\n').find((line) => line.includes('KVM')) ?? stderr.split('\n')[0] ?? '';
}

async function queryAccelerator(qmp: QmpClient): Promise<string> {
  const kvm = (await qmp.execute('query-kvm')) as { enabled?: boolean };
  return kvm.enabled ? 'kvm' : 'tcg';
}
