// Exit codes mean one thing each; they are decided here and turned into process exit codes in cli.ts.

export const ExitCode = {
  /** Every test of every kernel passed. */
  Passed: 0,
  /** At least one test or kernel failed, crashed or hung. */
  TestsFailed: 1,
  /** The command line or the `[package.metadata.alloc-runner]` configuration is wrong, or there is nothing to test. */
  Usage: 2,
  /** Cargo could not build the kernels. */
  BuildFailed: 3,
  /** Something the run needs is missing from this machine (QEMU, cargo). */
  Environment: 4,
  /** A bug in alloc-runner (an exception nobody threw on purpose): sysexits' EX_SOFTWARE. */
  InternalError: 70,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, as a shell reports a process killed by it. */
  Interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  Terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: its message says what was wrong and how to fix it. */
export class RunnerError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

export const usageError = (message: string) => new RunnerError(message, ExitCode.Usage);
export const environmentError = (message: string) => new RunnerError(message, ExitCode.Environment);
export const buildError = (message: string) => new RunnerError(message, ExitCode.BuildFailed);

/** What a file system error means, in words. */
export function describeFsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const meaning: Record<string, string> = {
    ENOSPC: 'no space is left on its file system',
    EDQUOT: 'the disk quota is used up',
    EROFS: 'its file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENAMETOOLONG: 'the path is too long for this system',
    ERANGE: 'the path is too long for this system',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a file is where a folder is needed',
    EISDIR: 'it is a folder, not a file',
    ENOENT: 'it does not exist',
  };
  return code && meaning[code] ? `${meaning[code]} (${code})` : (message ?? String(error));
}
