import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Ending, Firmware, ImageKind, SerialControls, SerialReader } from '../model.js';
import { qemuArgs, type BootOverrides } from './args.js';
import { endingBeforeExit, endingByExit, type BootFacts } from './ending.js';
import { firmwareArgs, type Ovmf } from './firmware.js';
import { GDB_SOCKET_NAME, gdbStubArgs, type GdbPort } from './gdb.js';
import { followGuest, GUEST_PAUSED, type GuestAction, type GuestState, type StatusAnswer } from './guest-events.js';
import { makePrivateDir, QMP_SOCKET_NAME, removePrivateDir } from './private-dir.js';
import { interruptedAsItEnded, startQemu, type QemuExit, type QemuProcess } from './process.js';
import { QmpClient, type QmpEvent } from './qmp.js';
import { FinalScreen, watchScreen, type ScreenResult, type ScreenWatch } from './screen.js';
import { KernelTimeout } from './timeout.js';
import { requireQemuVersion } from './version.js';

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
  /**
   * Whether vga.png is written when the kernel asks for its screen to be read (the screen
   * handshake, how a passing kernel usually ends); unset: it is. Every other reading (the
   * guest's end, a timeout, a decision) writes it; the text screen is read every time.
   */
  screenshotAtHandshake?: () => boolean;
  /** `--gdb`: the kernel waits, paused, for a debugger on this port; `waiting` is called once it does. */
  gdb?: { port: GdbPort; waiting: () => void };
}

export interface BootResult extends ScreenResult {
  ending: Ending;
  accelerator?: string;
  qemuStderr: string;
  durationMs: number;
  command: string[];
}

const STDERR_KEEP_BYTES = 8192;
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

/** Starts QEMU, lets the kernel run, waits for QEMU's end and derives how the boot ended. */
async function bootIn(privateDir: string, options: BootOptions): Promise<BootResult> {
  const gdbSocket = join(privateDir, GDB_SOCKET_NAME);
  const qmpSocket = join(privateDir, QMP_SOCKET_NAME);
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
  const qmpServer = await listenOn(qmpSocket);
  const qemu = startQemu(options.qemu, args);
  const stderr = keepEnd(qemu.child.stderr, STDERR_KEEP_BYTES);
  const running = new RunningBoot(qemu, privateDir, options);
  const serialDone = options.serial.read(qemu.child.stdout, running.controls);
  const started = Date.now();
  await running.start(qmpServer, gdbSocket);
  const exit = await qemu.exited;
  const durationMs = Date.now() - started;
  await running.end();
  qmpServer.close();
  await serialDone;

  const facts = running.facts(exit, stderr());
  // Whether the run was being interrupted can take a moment to tell: asked only when nothing else explains the end.
  const ending = endingBeforeExit(facts) ?? endingByExit(facts, await interruptedAsItEnded(exit));
  // A QEMU that ran the kernel took -action shutdown=pause, so is 6.0 or newer: only one that
  // never ran it is asked its --version (once a run), and one too old, or no QEMU at all, is
  // then an error of the environment rather than of this kernel.
  if (!facts.guestStarted && ending.kind === 'qemu-failed') await requireQemuVersion(options.qemu);
  return { ending, ...running.screen.result(ending), accelerator: running.accelerator, qemuStderr: facts.stderr, durationMs, command: [options.qemu, ...args] };
}

/**
 * QEMU while the kernel runs: the QMP connection, the guest's state as its events tell, the
 * runner's own stop (the timeout, or a condition's decision), the screen and the debugger.
 */
class RunningBoot {
  readonly controls: SerialControls;
  readonly screen: FinalScreen;
  accelerator: string | undefined;
  readonly #timeout: KernelTimeout;
  readonly #screenWatchStop = new AbortController();
  #qmp: QmpClient | undefined;
  #guest: GuestState = GUEST_PAUSED;
  #stoppedBy: BootFacts['stoppedBy'];
  #startFailure: string | undefined;
  /** When the kernel was let run (performance.now(): monotonic). */
  #startedAt: number | undefined;
  #screenWatch: Promise<void> | undefined;
  #stopDebugging: (() => void) | undefined;
  #onResumed: () => void = () => {};
  readonly #resumed = new Promise<void>((resolve) => {
    this.#onResumed = resolve;
  });

  constructor(
    private readonly qemu: QemuProcess,
    private readonly privateDir: string,
    private readonly options: BootOptions,
  ) {
    this.screen = new FinalScreen(join(privateDir, 'vga.bin'), join(options.artifactsDir, 'vga.png'), options.firmware !== 'uefi');
    this.#timeout = new KernelTimeout(options.timeoutSeconds * 1000, () => this.#timeUp());
    this.controls = {
      guestMs: () => this.#guestMs(),
      readScreen: () => this.screen.read(this.#qmp, options.screenshotAtHandshake?.() ?? true),
      send: (text) => qemu.child.stdin.write(text),
      decide: () => this.#decide(),
    };
  }

  /**
   * Connects to QMP and lets the kernel run (under --gdb, once a debugger continues it). When
   * that fails, QEMU is killed and the failure kept for the ending.
   */
  async start(server: Server, gdbSocket: string): Promise<void> {
    try {
      const qmp = (this.#qmp = await QmpClient.accept(server, qmpConnectTimeoutMs(), this.qemu.exited));
      qmp.onEvent((event) => this.#follow(event));
      // Asked together (QMP answers in order): the kernel does not wait for the accelerator's name.
      const [accelerator] = await Promise.all([
        queryAccelerator(qmp),
        this.options.gdb ? this.#waitForDebugger(this.options.gdb, gdbSocket, qmp) : qmp.execute('cont'),
      ]);
      this.accelerator = accelerator;
      this.#startedAt = performance.now();
      if (!this.options.gdb?.port.attached) this.#timeout.start();
      this.#watchScreen(qmp);
    } catch (error) {
      this.qemu.kill();
      this.#startFailure = (error as Error).message;
    }
  }

  /** Once QEMU has exited: the timeout, the debugger's relay, the screen watch and QMP end too. */
  async end(): Promise<void> {
    this.#timeout.clear();
    this.#stopDebugging?.();
    this.options.gdb?.port.relayTo(undefined);
    this.#screenWatchStop.abort();
    await this.#screenWatch;
    this.#qmp?.close();
  }

  facts(exit: QemuExit, stderr: string): BootFacts {
    return {
      exit,
      stoppedBy: this.#stoppedBy,
      guest: this.#guest.ending,
      guestStarted: this.#startedAt !== undefined,
      startFailure: this.#startFailure,
      stderr,
      qemu: this.options.qemu,
      timeoutSeconds: this.options.timeoutSeconds,
      debugged: this.options.gdb !== undefined,
    };
  }

  #guestMs(): number {
    return this.#startedAt === undefined ? 0 : performance.now() - this.#startedAt;
  }

  #follow(input: QmpEvent | StatusAnswer): void {
    const { state, action } = followGuest(this.#guest, input);
    this.#guest = state;
    if (action) void this.#act(action);
  }

  async #act(action: GuestAction): Promise<void> {
    const qmp = this.#qmp;
    if (!qmp) return;
    if (action.do === 'resumed') {
      this.#onResumed();
    } else if (action.do === 'query-status') {
      const answer = (await qmp.execute('query-status').catch(() => undefined)) as { status?: string } | undefined;
      if (answer) this.#follow({ status: String(answer.status) });
    } else {
      if (action.stopFirst) await qmp.execute('stop').catch(() => {});
      await this.screen.read(qmp, true);
      if (action.then === 'kill') this.qemu.kill();
      else await qmp.execute('quit').catch(() => {});
    }
  }

  /** A condition decided the run, unless something else ended it first. */
  #decide(): void {
    if (this.#stoppedBy || this.#guest.ending) return;
    this.#timeout.clear();
    void this.#stopAndKill('decision');
  }

  #timeUp(): void {
    if (!this.#stoppedBy) void this.#stopAndKill('timeout');
  }

  async #stopAndKill(by: NonNullable<BootFacts['stoppedBy']>): Promise<void> {
    this.#stoppedBy = by;
    // A QEMU that no longer answers QMP (stopped by a debugger, wedged) is killed all the same.
    const unanswered = setTimeout(this.qemu.kill, STOP_ANSWER_LIMIT_MS);
    await this.#qmp?.execute('stop').catch(() => {});
    await this.screen.read(this.#qmp, true);
    clearTimeout(unanswered);
    this.qemu.kill();
  }

  /** Reads the screen while a condition on it is pending, and no longer than the guest runs. */
  #watchScreen(qmp: QmpClient): void {
    const watch = this.options.watch;
    if (this.options.firmware === 'uefi' || !watch?.watchesScreen) return;
    const live = () => !this.#stoppedBy && !this.#guest.ending && watch.watchesScreen;
    const seconds = () => this.#guestMs() / 1000;
    this.#screenWatch = watchScreen(qmp, join(this.privateDir, 'watch.bin'), watch, this.#screenWatchStop.signal, live, seconds).then((decided) => {
      if (decided) this.#decide();
    });
  }

  /** Relays the debugger's port to QEMU's gdb stub; resolves once the debugger lets the guest run. */
  async #waitForDebugger(gdb: NonNullable<BootOptions['gdb']>, gdbSocket: string, qmp: QmpClient): Promise<void> {
    gdb.port.relayTo(gdbSocket);
    this.#stopDebugging = pauseTimeoutWhileAttached(gdb.port, this.#timeout, qmp);
    gdb.waiting();
    await Promise.race([
      this.#resumed,
      this.qemu.exited.then(() => {
        throw new Error('QEMU ended while the kernel waited for a debugger');
      }),
    ]);
  }
}

async function listenOn(socket: string): Promise<Server> {
  const server = createServer();
  server.listen(socket);
  await once(server, 'listening');
  return server;
}

/** Keeps the last `maxChars` of a stream's text; the function gives them, trimmed. */
function keepEnd(stream: Readable, maxChars: number): () => string {
  let kept = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    kept = (kept + chunk).slice(-maxChars);
  });
  return () => kept.trim();
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

async function queryAccelerator(qmp: QmpClient): Promise<string> {
  const kvm = (await qmp.execute('query-kvm')) as { enabled?: boolean };
  return kvm.enabled ? 'kvm' : 'tcg';
}
