import { ExitCode, type ExitCodeValue } from '../errors.js';
import { removePrivateDirs } from '../qemu/private-dir.js';
import { killAllQemu } from '../qemu/process.js';

const EXIT_CODES = { SIGINT: ExitCode.Interrupted, SIGTERM: ExitCode.Terminated } as const;
type CaughtSignal = keyof typeof EXIT_CODES;

export interface Interruption {
  /** The signal that interrupted the run, once one has. */
  readonly signal: CaughtSignal | undefined;
  /** The exit code that says which signal it was (130 for SIGINT, 143 for SIGTERM). */
  readonly exitCode: ExitCodeValue;
  /** Gives Ctrl-C back its default meaning. */
  dispose(): void;
}

/**
 * Ctrl-C or SIGTERM while kernels run: the first stops every QEMU at once, so each kernel in
 * flight ends as "interrupted" and none is started after it; the run then reports what it
 * has and exits with `exitCode`. A second signal ends alloc-runner at once, by that signal
 * (the shell shows 130 or 143), after killing QEMU and removing the temporary folders.
 */
export function catchInterruptions(): Interruption {
  let caught: CaughtSignal | undefined;
  const signals = Object.keys(EXIT_CODES) as CaughtSignal[];
  const dispose = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  const onSignal = (signal: CaughtSignal) => {
    if (caught) {
      killAllQemu();
      removePrivateDirs();
      // Not process.exit: it waits for file operations still pending (a report file on a
      // FIFO, a hung mount), and the user asked to stop now.
      dispose();
      process.kill(process.pid, signal);
      return;
    }
    caught = signal;
    killAllQemu();
    process.stderr.write(
      `\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'} (${signal}): QEMU stopped; reporting the kernels that finished. Press Ctrl-C again to quit at once.\n`,
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return {
    get signal() {
      return caught;
    },
    get exitCode() {
      return caught ? EXIT_CODES[caught] : ExitCode.Passed;
    },
    dispose,
  };
}
