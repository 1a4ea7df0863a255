// Every child process but QEMU's boots (src/qemu/process.ts starts those: that is on every
// boot's path) runs here, through execa, so that every failure becomes the same error: a
// RunnerError that carries the command, its exit status and its stderr. execa is imported when
// the first command runs: loading it costs about 90 ms, which a `test --kernel` run never pays.
import { constants } from 'node:os';
import type { Options } from 'execa';
import { ExitCode, RunnerError, type ExitCodeValue } from './errors.js';

export interface CommandOptions {
  cwd?: string;
  /** Added to alloc-runner's own environment. */
  env?: Record<string, string>;
  /** `pipe` (the default): kept, for the result; `inherit`: the user's terminal, as is; `tee` (stderr): both. */
  stdout?: 'pipe' | 'inherit';
  stderr?: 'pipe' | 'inherit' | 'tee';
  /** Nothing to read (the default), or the user's terminal. */
  stdin?: 'ignore' | 'inherit';
  timeoutMs?: number;
  /** Aborted: the command is sent SIGTERM, and given all the time it takes to end. */
  cancel?: AbortSignal;
  /** What alloc-runner exits with when the command fails (or cannot start). */
  exitCode: ExitCodeValue;
  /** The error's message; by default the command, why it failed and its stderr. */
  message?: (failure: CommandFailure) => string;
  /** When the program is not on this machine: what to do about it (an environment error, exit 4). */
  missing?: string;
}

/** What is known of a command that failed. */
export interface CommandFailure {
  /** The program and its arguments, as one line. */
  command: string;
  /** Its exit status; undefined when a signal ended it or it never started. */
  status?: number;
  /** The signal that ended it (SIGTERM at a timeout too). */
  signal?: string;
  stdout: string;
  stderr: string;
  /** Why it failed, in words: `exit status 2`, `killed by SIGKILL`, `no answer within 10 s`, `not found (ENOENT)`. */
  why: string;
}

/** A command that failed: the error a user can act on, with what the caller may need to say more. */
export class CommandError extends RunnerError implements CommandFailure {
  readonly command: string;
  readonly status?: number;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly why: string;

  constructor(message: string, exitCode: ExitCodeValue, failure: CommandFailure) {
    super(message, exitCode);
    this.name = 'CommandError';
    ({ command: this.command, status: this.status, signal: this.signal, stdout: this.stdout, stderr: this.stderr, why: this.why } = failure);
  }
}

export interface CommandOutput {
  /** Empty where the stream was not kept (`inherit`). */
  stdout: string;
  stderr: string;
}

/** Runs a command to its end. Any failure (not found, an exit status but 0, a signal, the timeout) is a CommandError. */
export async function runChecked(program: string, args: string[], options: CommandOptions): Promise<CommandOutput> {
  const { stdout, stderr, failure } = await execute(program, args, options);
  if (failure) throw commandError(failure, options);
  return { stdout, stderr };
}

/**
 * Runs a command whose exit status is the answer (a host test, the hook's test run, a tool's
 * `--version`): its status, or 128 + the number of the signal that ended it, as a shell gives.
 * Only a command that cannot start, or does not end within its time, is a CommandError.
 */
export async function runForStatus(program: string, args: string[], options: CommandOptions): Promise<CommandOutput & { status: number }> {
  const { stdout, stderr, failure, ended } = await execute(program, args, options);
  if (!failure) return { stdout, stderr, status: 0 };
  const signal = failure.signal && constants.signals[failure.signal as NodeJS.Signals];
  if (ended && failure.status !== undefined) return { stdout, stderr, status: failure.status };
  if (ended && signal) return { stdout, stderr, status: 128 + signal };
  throw commandError(failure, options);
}

const NOT_FOUND = 'not found (ENOENT)';

/** The command's output, and its failure if it failed; `ended`: it ran to an end of its own (no timeout, it started). */
async function execute(program: string, args: string[], options: CommandOptions): Promise<CommandOutput & { failure?: CommandFailure; ended: boolean }> {
  const { execa } = await import('execa');
  const result = await execa(program, args, {
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin ?? 'ignore',
    stdout: options.stdout ?? 'pipe',
    stderr: options.stderr === 'tee' ? ['pipe', 'inherit'] : (options.stderr ?? 'pipe'),
    timeout: options.timeoutMs,
    cancelSignal: options.cancel,
    forceKillAfterDelay: options.cancel ? false : undefined,
    // As the output was written: parsers and messages see its last line whole.
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
    reject: false,
  } satisfies Options);
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  if (!result.failed) return { stdout, stderr, ended: true };
  const notFound = (result as { code?: string }).code === 'ENOENT';
  const why = notFound
    ? NOT_FOUND
    : result.timedOut
      ? `no answer within ${(options.timeoutMs ?? 0) / 1000} s`
      : result.exitCode !== undefined
        ? `exit status ${result.exitCode}`
        : result.signal
          ? `killed by ${result.signal}`
          : String(result.shortMessage);
  const failure = { command: [program, ...args].join(' '), status: result.exitCode, signal: result.signal, stdout, stderr, why };
  return { stdout, stderr, failure, ended: !notFound && !result.timedOut && (result.exitCode !== undefined || result.signal !== undefined) };
}

function commandError(failure: CommandFailure, options: CommandOptions): CommandError {
  if (failure.why === NOT_FOUND && options.missing) return new CommandError(options.missing, ExitCode.Environment, failure);
  const message = options.message?.(failure) ?? `${failure.command} failed (${failure.why})${failure.stderr.trim() ? `:\n${failure.stderr.trim()}` : ''}`;
  return new CommandError(message, options.exitCode, failure);
}
