import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { CommandError, runForStatus, runChecked } from '../../src/subprocess.js';

// Real children (this Node), no mocks: what each way of failing becomes.
const node = (script: string) => [process.execPath, ['-e', script]] as const;
const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('it did not fail'), (error: unknown) => error as CommandError);

describe('runChecked', () => {
  it('gives the output as it was written, last newline included', async () => {
    const [program, args] = node('process.stdout.write("one\\ntwo\\n"); process.stderr.write("note\\n")');
    expect(await runChecked(program, args, { exitCode: ExitCode.BuildFailed })).toEqual({ stdout: 'one\ntwo\n', stderr: 'note\n' });
  });

  it('turns an exit status but 0 into a RunnerError with the command, its status and its stderr', async () => {
    const [program, args] = node('process.stderr.write("it broke\\n"); process.exit(3)');
    const error = await failure(runChecked(program, args, { exitCode: ExitCode.BuildFailed }));
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ exitCode: ExitCode.BuildFailed, status: 3, stderr: 'it broke\n', why: 'exit status 3' });
    expect(error.command).toBe([program, ...args].join(' '));
    expect(error.message).toBe(`${error.command} failed (exit status 3):\nit broke`);
  });

  it('lets the caller word the message, and says what to install for a program that is not there', async () => {
    const [program, args] = node('process.exit(1)');
    const worded = await failure(runChecked(program, args, { exitCode: ExitCode.Usage, message: (failed) => `could not: ${failed.why}` }));
    expect(worded).toMatchObject({ message: 'could not: exit status 1', exitCode: ExitCode.Usage });
    const missing = await failure(runChecked('alloc-runner-no-such-program', [], { exitCode: ExitCode.BuildFailed, missing: 'install it' }));
    expect(missing).toMatchObject({ message: 'install it', exitCode: ExitCode.Environment, why: 'not found (ENOENT)' });
    const unworded = await failure(runChecked('alloc-runner-no-such-program', ['--flag'], { exitCode: ExitCode.BuildFailed }));
    expect(unworded).toMatchObject({ message: 'alloc-runner-no-such-program --flag failed (not found (ENOENT))', exitCode: ExitCode.BuildFailed });
  });

  it('names the signal that ended a command, and a timeout', async () => {
    const [program, args] = node('process.kill(process.pid, "SIGKILL")');
    expect(await failure(runChecked(program, args, { exitCode: ExitCode.BuildFailed }))).toMatchObject({ signal: 'SIGKILL', status: undefined, why: 'killed by SIGKILL' });
    const [slow, wait] = node('setTimeout(() => {}, 60_000)');
    expect(await failure(runChecked(slow, wait, { exitCode: ExitCode.Environment, timeoutMs: 200 }))).toMatchObject({ why: 'no answer within 0.2 s' });
  });

  it('keeps tee\'d stderr for the caller while the user sees it', async () => {
    const [program, args] = node('process.stderr.write("warning: shown and kept\\n")');
    expect(await runChecked(program, args, { exitCode: ExitCode.BuildFailed, stderr: 'tee' })).toEqual({ stdout: '', stderr: 'warning: shown and kept\n' });
  });
});

describe('runForStatus', () => {
  it('gives the exit status, or 128 + the signal, as a shell does', async () => {
    expect(await runForStatus(...node('process.stdout.write("v1"); process.exit(5)'), { exitCode: ExitCode.Usage })).toEqual({ stdout: 'v1', stderr: '', status: 5 });
    expect(await runForStatus(...node('process.kill(process.pid, "SIGTERM")'), { exitCode: ExitCode.Usage })).toMatchObject({ status: 143 });
    expect(await runForStatus(...node(''), { exitCode: ExitCode.Usage })).toMatchObject({ status: 0 });
  });

  it('fails only for a command that cannot start or does not end in time', async () => {
    expect(await failure(runForStatus('alloc-runner-no-such-program', [], { exitCode: ExitCode.Usage }))).toMatchObject({ exitCode: ExitCode.Usage });
    expect(await failure(runForStatus(...node('setTimeout(() => {}, 60_000)'), { exitCode: ExitCode.Environment, timeoutMs: 200 }))).toMatchObject({ why: 'no answer within 0.2 s' });
  });

  it('sends SIGTERM when cancelled, and waits for the command to end as it chooses', async () => {
    const stop = new AbortController();
    // Its own status, 7, not a SIGTERM death's 143: the handler ran, and was waited for.
    const [program, args] = node('process.on("SIGTERM", () => setTimeout(() => process.exit(7), 300)); process.stdout.write("ready"); setTimeout(() => {}, 60_000)');
    const running = runForStatus(program, args, { exitCode: ExitCode.Usage, cancel: stop.signal });
    setTimeout(() => stop.abort(), 1500);
    expect(await running).toMatchObject({ status: 7, stdout: 'ready' });
  });
});
