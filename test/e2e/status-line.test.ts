import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { alloc, CLI, FIXTURES } from './helpers.js';

// The live status line in a real pseudo-terminal (terminal-size.py): it says what is running,
// fits the terminal, follows a resize, and is not drawn where it could not be erased
// (TERM=dumb) or where plain output is asked for (NO_COLOR). misbehaving/hang runs its 3 s.

const TERMINAL = resolve(import.meta.dirname, 'terminal-size.py');
const HANG = ['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml'), '--filter-kernel', 'misbehaving/hang'];

async function inTerminal(columns: number, env: Record<string, string>, resize: string[] = []) {
  const run = await execa('python3', [TERMINAL, String(columns), ...resize, '--', process.execPath, CLI, ...HANG], {
    // Cargo colours its own lines whatever TERM says: only alloc-runner's output is under test.
    env: { TERM: 'xterm-256color', CI: '', NO_COLOR: '', CARGO_TERM_COLOR: 'never', ...env },
    reject: false,
    timeout: 120_000,
  });
  return run.stdout;
}

describe('the status line in a terminal', () => {
  beforeAll(async () => {
    expect((await alloc([...HANG, '--list'])).exitCode).toBe(0);
  });

  it('says what is running, not "done: NAME" for a kernel in flight, and erases itself', async () => {
    const shown = await inTerminal(80, {});
    expect(shown).toContain('0/1 done; running: misbehaving/hang');
    expect(shown).not.toMatch(/done: misbehaving\/hang/);
    expect(shown).toContain('\r\x1b[J');
    expect(shown).toContain('HANG');
  });

  it('takes a terminal of 0 columns as 80 wide', async () => {
    const shown = await inTerminal(0, {});
    expect(shown).toContain('0/1 done; running: misbehaving/hang');
  });

  it('erases every row of the line after the terminal narrows, and redraws it to the new width', async () => {
    // 35 characters, then 10 columns: the line takes 4 rows, 3 to go up over; redrawn 9 wide.
    const shown = await inTerminal(80, {}, ['0/1 done; running: misbehaving/hang', '10']);
    expect(shown).toContain('0/1 done; running: misbehaving/hang\r\x1b[3A\x1b[J0/1 done;');
  });

  it.each([
    ['NO_COLOR', { NO_COLOR: '1' }],
    ['TERM=dumb', { TERM: 'dumb' }],
  ])('draws no status line and no escape sequence with %s', async (_what, env) => {
    const shown = await inTerminal(80, env);
    expect(shown).toContain('HANG');
    expect(shown).not.toContain('running: misbehaving/hang');
    expect(shown).not.toContain('\x1b');
  });
});
