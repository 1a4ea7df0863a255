import { availableParallelism } from 'node:os';
import { Command } from '@commander-js/extra-typings';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { defaultQemu } from '../../src/environment.js';
import { ExitCode, RunnerError } from '../../src/errors.js';
import { declareBuild, declareRun, declareTest, runDefaults } from '../../src/options/declare.js';
import { resolveBuild, resolveRun, resolveTest } from '../../src/options/resolve.js';
import { DEFAULT_CONFIG } from '../../src/project/config.js';

/** A command's options as commander parses `argv` with its declaration. */
function parse<Options>(declare: (command: Command) => { opts(): Options; parse(argv: string[], how: { from: 'user' }): unknown }, argv: string[]): Options {
  const command = declare(new Command('alloc-runner'));
  command.parse(argv, { from: 'user' });
  return command.opts();
}

function usageErrorOf(resolve: () => unknown): RunnerError {
  try {
    resolve();
  } catch (error) {
    if (error instanceof RunnerError) {
      expect(error.exitCode).toBe(ExitCode.Usage);
      return error;
    }
    throw error;
  }
  throw new Error('expected a usage error');
}

/** What `alloc-runner ...args --help` prints. */
async function help(args: string[]): Promise<string> {
  let printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  await expect(buildProgram().parseAsync([...args, '--help'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
  return printed;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('options resolved once into the settings the stages read', () => {
  it('gives test its defaults from the declarations', () => {
    const config = resolveTest(parse(declareTest, []));
    expect(config.jobs).toBe(availableParallelism());
    expect(config.plan.jobs).toBe(availableParallelism());
    expect(config.bootPath).toBe('kernel');
    expect(config.qemu).toEqual({ program: defaultQemu(), accel: 'auto', extraArgs: [], firmware: undefined, ovmf: { code: undefined, vars: undefined }, gdb: undefined, screenshots: false });
    expect(config.report).toMatchObject({ verbose: false, slowTestMs: 300 });
    expect(config.plan).toEqual({
      source: { cargo: { manifestPath: undefined, features: [], allFeatures: false, noDefaultFeatures: false, release: false, packages: [] } },
      overrides: {},
      artifactsDir: undefined,
      jobs: availableParallelism(),
    });
    expect([config.bail, config.list, config.cache, config.watch]).toEqual([false, false, false, false]);
  });

  it("gives run the same QEMU settings by default", () => {
    expect(runDefaults()).toEqual(parse(declareRun, []));
    expect(resolveRun(runDefaults()).qemu).toEqual(resolveTest(parse(declareTest, [])).qemu);
  });

  it('turns each expectation option into the configuration key of the same name, checked as the key is', () => {
    const argv = [
      ['--pass-when-vga', 'Allocator works!'],
      ['--pass-when-serial', '^ok$'],
      ['--fail-when-vga', 'PANIC'],
      ['--fail-when-serial', 'panicked at'],
      ['--fail-when-serial', 'EXCEPTION'],
      ['--vga-contains', 'heap'],
      ['--vga-excludes', 'error'],
      ['--serial-matches', 'done'],
      ['--exit-status', '35'],
      ['--vga-poll-ms', '20'],
      ['--timeout', '5'],
      ['--firmware', 'uefi'],
    ].flat();
    const expected = {
      passWhenVga: 'Allocator works!',
      passWhenSerial: '^ok$',
      failWhenVga: ['PANIC'],
      failWhenSerial: ['panicked at', 'EXCEPTION'],
      vgaContains: ['heap'],
      vgaExcludes: ['error'],
      serialMatches: ['done'],
      exitStatus: 35,
      vgaPollMs: 20,
      timeout: 5,
      firmware: 'uefi',
    };
    expect(resolveTest(parse(declareTest, argv)).plan.overrides).toEqual(expected);
    expect(resolveRun(parse(declareRun, argv)).plan.overrides).toEqual(expected);
    expect(usageErrorOf(() => resolveRun(parse(declareRun, ['--exit-status', 'ok']))).message).toBe('--exit-status: expected an exit status from 0 to 255, got "ok"');
  });

  it('reads the Cargo options into what Cargo builds', () => {
    const argv = ['-F', 'a b', '--features', 'c', '--no-default-features', '--release', '-p', 'k', '--manifest-path', 'x/Cargo.toml', '--image', 'iso'];
    expect(resolveBuild(parse(declareBuild, argv)).plan.source).toEqual({
      cargo: { manifestPath: 'x/Cargo.toml', features: ['a', 'b', 'c'], allFeatures: false, noDefaultFeatures: true, release: true, packages: ['k'] },
    });
  });

  it('takes --kernel files instead of building, and refuses Cargo options beside them', () => {
    expect(resolveTest(parse(declareTest, ['--kernel', 'a.elf', '--kernel', 'b.iso'])).plan.source).toEqual({ images: ['a.elf', 'b.iso'] });
    expect(usageErrorOf(() => resolveTest(parse(declareTest, ['--kernel', 'a.elf', '--release', '-p', 'k']))).message).toBe(
      '--kernel boots a prebuilt image and builds nothing, so --release, --package would do nothing: drop them, or drop --kernel to build with Cargo',
    );
    expect(usageErrorOf(() => resolveRun(parse(declareRun, ['--kernel', 'a.elf', '--kernel', 'b.elf']))).message).toBe('alloc-runner run takes one kernel: pass --kernel once');
  });

  it('refuses what --watch cannot go with, and a test filter with a space', () => {
    expect(usageErrorOf(() => resolveTest(parse(declareTest, ['--watch', '--bail', '--list']))).message).toContain('so it does not go with --list, --bail');
    expect(usageErrorOf(() => resolveTest(parse(declareTest, ['--filter-test', 'a b']))).message).toContain('a test filter is one word without spaces');
    expect(resolveTest(parse(declareTest, ['--filter-test', 'heap_*'])).cmdlineWords).toEqual(['filter=heap_*']);
  });
});

describe('--help', () => {
  it('shows the exit codes once, after every command', async () => {
    const commands = [[], ['test'], ['run'], ['merge'], ['build'], ['runner'], ['doctor'], ['hook'], ['hook', 'install'], ['hook', 'run'], ['hook', 'uninstall']];
    for (const command of commands) {
      const text = await help(command);
      expect(text.match(/^Exit codes:$/gm), command.join(' ')).toHaveLength(1);
      expect(text).toMatch(/^ {2}143 {2}terminated/m);
      vi.restoreAllMocks();
    }
    expect(await help(['runner'])).toMatch(/runner = "alloc-runner runner"\n\nExit codes:/);
  });

  it('tells the defaults the configuration and the declarations give', async () => {
    const text = (await help(['test'])).replace(/\s+/g, ' ');
    expect(text).toContain(`(default: its configuration, else ${DEFAULT_CONFIG.timeout})`);
    expect(text).toContain(`(default: the success status, ${DEFAULT_CONFIG.successStatus})`);
    expect(text).toContain(`(default: ${DEFAULT_CONFIG.vgaPollMs})`);
    expect(text).toContain(`(default: its configuration, else ${DEFAULT_CONFIG.firmware})`);
    expect(text).toContain(`kernels to run at once (default: the CPUs, ${availableParallelism()} here)`);
    expect(text).toContain('(default: 300)');
    expect(text).toContain('--qemu <path> the QEMU binary (default: $ALLOC_RUNNER_QEMU, else qemu-system-x86_64)');
  });

  it('says nothing of a repeatable option\'s empty start', async () => {
    const text = (await help(['test'])).replace(/\s+/g, ' ');
    expect(text).not.toContain('[]');
    expect(text).toContain('--filter-kernel <pattern> run only kernels whose name or id (package/name) matches (substring, or glob with * and ?; repeatable) --filter-test');
  });
});
