import { availableParallelism } from 'node:os';
import chalk from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, RunnerError, usageError } from './errors.js';
import { checkWorkingFolder } from './check/places.js';
import { defaultQemu } from './environment.js';
import { VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    every test passed
  1    a test failed, or a kernel crashed, hung or did not meet its expectations
  2    usage or configuration error (bad option, bad [package.metadata.alloc-runner], nothing to test)
  3    the build failed (Cargo's errors are shown above)
  4    the environment is missing something (QEMU, cargo) or a file or folder is unusable; \`alloc-runner doctor\` tells what
  70   a bug in alloc-runner (an internal error); --verbose shows its stack
  130  interrupted (Ctrl-C); the kernels that finished are reported
  143  terminated (SIGTERM); the kernels that finished are reported`;

const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return parsed;
};
const positiveSeconds = (value: string) => {
  const parsed = Number(value);
  if (!(parsed > 0)) throw new InvalidArgumentError('expected a number of seconds greater than 0');
  return parsed;
};
const milliseconds = (value: string) => {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number of milliseconds, 0 or more');
  return parsed;
};
const collect = (value: string, previous: string[]) => [...previous, value];
const nonEmpty = (value: string) => {
  if (value.trim() === '') throw new InvalidArgumentError('expected a path or a program name, not an empty string');
  return value;
};
/** Like vitest's slowTestThreshold. */
const DEFAULT_SLOW_TEST_MS = 300;
const REPORTER_HELP =
  'report format: default, json, tap, ktap, junit, github, quiet, html (repeatable; default: default, plus github when GITHUB_ACTIONS=true, its annotations on stderr when another reporter writes to stdout)';
const collectFeatures = (value: string, previous: string[]) => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];

/** Options shared by the commands that build with Cargo (or take --kernel FILE). */
function addBuildOptions(command: Command): Command {
  return refuseStrayWords(command)
    .option('-F, --features <features>', 'Cargo features to enable (comma- or space-separated, repeatable)', collectFeatures, [])
    .option('--all-features', 'enable all Cargo features')
    .option('--no-default-features', "do not enable the package's default features")
    .option('-r, --release', 'build with the release profile')
    .option('--manifest-path <path>', 'the Cargo.toml of the kernel crate or workspace (default: the one Cargo finds from here)')
    .option('-p, --package <spec>', 'build only this package (repeatable)', collect, [])
    .option('--kernel <file>', 'run this prebuilt image instead of building (Multiboot ELF, raw disk or ISO; repeatable)', collect, []);
}

/**
 * These commands take no arguments, only options: a stray word is most often a second image
 * after one `--kernel` (`--kernel a.bin b.bin`), and the error says so.
 */
function refuseStrayWords(command: Command): Command {
  return command.allowExcessArguments(true).hook('preAction', (action) => {
    const [word] = action.args;
    if (word === undefined) return;
    const kernels = (action.opts() as { kernel: string[] }).kernel;
    const hint =
      kernels.length > 0
        ? `; each image needs its own --kernel: --kernel ${kernels[kernels.length - 1]} --kernel ${word}`
        : `; it takes only options (see alloc-runner ${action.name()} --help)`;
    throw usageError(`alloc-runner ${action.name()}: unexpected argument ${word}${hint}`);
  });
}

/** Options shared by the commands that build with Cargo and boot in QEMU. */
function addBuildAndBootOptions(command: Command): Command {
  return addBuildOptions(command)
    .option('--timeout <seconds>', 'seconds before a kernel counts as hung (default: its configuration, else 60)', positiveSeconds)
    .addOption(new Option('--accel <accel>', 'QEMU accelerator: kvm where /dev/kvm is usable, else tcg').choices(['auto', 'kvm', 'tcg']).default('auto'))
    .option('--qemu <path>', 'the QEMU binary (default: $ALLOC_RUNNER_QEMU, else qemu-system-x86_64)', nonEmpty, defaultQemu())
    .option('--qemu-arg <arg>', 'an extra argument for QEMU (repeatable)', collect, [])
    .option('--artifacts-dir <dir>', "where each run's serial logs and screens are kept (default: Cargo's target dir, alloc-runner/)")
    .addOption(firmwareOption('the firmware every kernel boots with: bios (SeaBIOS) or uefi (OVMF) (default: its configuration, else bios)'))
    .option('--ovmf-code <file>', "OVMF's code image, with --ovmf-vars (default: where Debian, Fedora or Arch install it)")
    .option('--ovmf-vars <file>', "OVMF's variable store template, copied for each boot (default: the one beside the code image found)")
    .option('--gdb [port]', "pause the kernel before its first instruction with QEMU's gdb stub on 127.0.0.1:PORT (default: a free port) and print the gdb command that attaches; the timeout stops while a debugger is attached (test: one kernel, see --filter-kernel)");
}

/**
 * What every kernel of the run must do, as the configuration keys of the same names say;
 * given here, each replaces the configuration's for every kernel, prebuilt images included.
 */
function addExpectationOptions(command: Command): Command {
  return command
    .option('--pass-when-vga <text>', 'pass as soon as the screen shows this text, without waiting for an exit')
    .option('--pass-when-serial <regex>', 'pass as soon as a serial line matches this regular expression')
    .option('--fail-when-vga <text>', 'fail as soon as the screen shows this text (repeatable)', collect, [])
    .option('--fail-when-serial <regex>', 'fail as soon as a serial line matches (repeatable), e.g. "panicked at"', collect, [])
    .option('--vga-contains <text>', 'text the screen must show at the end (repeatable)', collect, [])
    .option('--vga-excludes <text>', 'text the screen must not show at the end (repeatable)', collect, [])
    .option('--serial-matches <regex>', 'a regular expression some serial line must match (repeatable)', collect, [])
    .option('--exit-status <status>', 'the exit status the kernel must end with when it exits (default: the success status, 33)')
    .option('--vga-poll-ms <ms>', 'milliseconds between two reads of the screen while a VGA condition is pending (default 50)');
}

const firmwareOption = (description: string) => new Option('--firmware <firmware>', description).choices(['bios', 'uefi']);

/** Options of the commands that write reports: `test` and `merge`. */
function addReportOptions(command: Command): Command {
  return command
    .option('--reporter <name>', REPORTER_HELP, collect, [])
    .option('--output-file <name=path>', "write that reporter's output to a file instead of stdout; implies --reporter NAME (repeatable, one file per reporter)", collect, [])
    .option('--slow-test-ms <ms>', `mark tests that took longer in the default report (0: none)`, milliseconds, DEFAULT_SLOW_TEST_MS);
}

export function buildProgram(): Command {
  const program = new Command('alloc-runner')
    .description('Build bare-metal Rust kernels with Cargo, boot them in QEMU, and judge every test by serial output, exit status and VGA screen.')
    .version(VERSION)
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    // `runner` hands the options after its executable to that executable.
    .enablePositionalOptions()
    .configureOutput({ outputError: (message, write) => write(chalk.red(message)) });

  addReportOptions(addExpectationOptions(addBuildAndBootOptions(program.command('test'))))
    .description('build the test kernels (cargo test --no-run) and boot each in QEMU, giving a verdict per test')
    .option('-j, --jobs <n>', 'kernels to run at once', positiveInteger, availableParallelism())
    .option('-v, --verbose', 'show serial output live and every test\'s diagnostics and output')
    .option('--shard <K/N>', 'run only shard K of N (a deterministic split of the kernels, for CI matrices)')
    .option('--filter-kernel <pattern>', 'run only kernels whose name or id (package/name) matches (substring, or glob with * and ?; repeatable)', collect, [])
    .option('--filter-test <pattern>', 'ask each kernel to run only matching tests, the others reported as skipped (kernel command line filter=PATTERN; repeatable)', collect, [])
    .option('--bail', 'stop at the first kernel that fails, stopping the running ones; report what finished')
    .option('--list', 'build, then print the kernels that would run (after filters and --shard), without booting them')
    .addOption(
      new Option('--boot <path>', 'how each Multiboot kernel boots: kernel (QEMU -kernel), iso or disk (through a GRUB image made first)')
        .choices(['kernel', 'iso', 'disk'])
        .default('kernel'),
    )
    .option('--watch', 'run the suite, then rerun the kernels whose images change as their sources change (keys: a rerun all, f rerun failed, q quit); needs a terminal')
    .option('--cache', "skip a kernel that passed before with the same image, configuration and QEMU arguments (kept in the target dir's alloc-runner/cache)")
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { testCommand } = await import('./commands/test.js');
      return finish(await testCommand(options));
    });

  addExpectationOptions(addBuildAndBootOptions(program.command('run')))
    .description('build the kernel binary (cargo build) or take --kernel FILE, boot it, show its serial live and its screen at the end')
    .option('--bin <name>', "which binary to boot, when the crate has several (default: the package's default-run)")
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { runCommand } = await import('./commands/run.js');
      return finish(await runCommand(options));
    });

  addReportOptions(program.command('merge'))
    .description('merge the JSON reports of shards (--reporter json) into one report, in any format')
    .argument('<files...>', 'JSON reports written by alloc-runner test --reporter json')
    .option('-v, --verbose', "show every test's diagnostics and output")
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (files: string[], options) => {
      const { mergeCommand } = await import('./commands/merge.js');
      return finish(await mergeCommand(files, options));
    });

  const hook = program.command('hook').description('install or remove the Git pre-commit hook that runs alloc-runner test');
  hook
    .command('install')
    .description('write a pre-commit hook that runs `alloc-runner test --reporter quiet --cache [test options]` on what is being committed (a copy of the index) and blocks failing commits; the test options are checked now')
    .argument('[test-options...]', 'options for alloc-runner test, after --, e.g. -- --features global_alloc')
    .option('--force', 'replace a pre-commit hook alloc-runner did not write, keeping it as pre-commit.alloc-runner-backup')
    .action(async (testOptions: string[], options) => {
      const { hookInstall } = await import('./commands/hook.js');
      return finish(await hookInstall(testOptions, options));
    });
  hook
    .command('run')
    .description('what the installed hook runs: `alloc-runner test` on a copy of what is being committed (the index), never on the working tree')
    .argument('[test-options...]', 'options for alloc-runner test, after --')
    .action(async (testOptions: string[]) => {
      const { hookRun } = await import('./commands/hook.js');
      return finish(await hookRun(testOptions));
    });
  hook
    .command('uninstall')
    .description('remove the pre-commit hook alloc-runner wrote (and put back the one --force set aside); never touches another hook')
    .action(async () => {
      const { hookUninstall } = await import('./commands/hook.js');
      return finish(await hookUninstall());
    });

  addBuildOptions(program.command('build'))
    .description('build the kernel binary (cargo build) or take --kernel FILE, and make a bootable GRUB image of it')
    .addOption(new Option('--image <kind>', 'iso (grub-mkrescue) or disk (a raw MBR disk image)').choices(['iso', 'disk']).makeOptionMandatory())
    .option('-o, --output <path>', 'where to write the image (default: beside the kernel, with .iso or .img added)')
    .addOption(firmwareOption('uefi: an ISO that boots on UEFI as well as BIOS (default: the configuration\'s firmware, else bios)'))
    .option('--bin <name>', "which binary to put in the image, when the crate has several (default: the package's default-run)")
    .option('--cmdline <words>', 'the kernel command line GRUB passes (default: alloc-runner, so that alloc-runner can read the screen when it boots the image)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { buildCommand } = await import('./commands/build.js');
      return finish(await buildCommand(options));
    });

  program
    .command('runner')
    .description("Cargo's target runner: boots a kernel executable with alloc-runner's verdict; runs any other executable (host tests) as it is")
    .argument('<executable>', 'the executable Cargo built')
    .argument('[args...]', 'its arguments (passed on to a host executable)')
    .passThroughOptions()
    .addHelpText('after', `\nIn .cargo/config.toml: [target.<triple>] runner = "alloc-runner runner"\n${EXIT_CODES_HELP}`)
    .action(async (executable: string, args: string[]) => {
      const { runnerCommand } = await import('./commands/runner.js');
      return finish(await runnerCommand(executable, args));
    });

  program
    .command('doctor')
    .description('check that node, cargo, rustc, QEMU, KVM and the GRUB tools are here, and say how to install what is missing')
    .option('--qemu <path>', 'the QEMU binary (default: $ALLOC_RUNNER_QEMU, else qemu-system-x86_64)', nonEmpty, defaultQemu())
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      return finish(await doctorCommand(options));
    });

  return program;
}

// A number beyond ExitCodeValue only from `runner`, which passes a host executable's own status through.
let exitCode: number = ExitCode.Passed;
const finish = (code: number) => {
  exitCode = code;
};

/** `--verbose` (or `-v`) among alloc-runner's own options: before any `--`. */
const verbose = () => {
  const own = process.argv.slice(2);
  const end = own.indexOf('--');
  return (end === -1 ? own : own.slice(0, end)).some((arg) => arg === '--verbose' || arg === '-v');
};

/** An exception nobody threw on purpose is a bug: said so in one line, its stack with --verbose. */
function reportBug(error: unknown): void {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = verbose() && error instanceof Error ? `\n${error.stack}` : ' (--verbose shows its stack)';
  process.stderr.write(`${chalk.red('error:')} internal error, a bug in alloc-runner ${VERSION}: ${what.split('\n')[0]}; please report it${stack}\n`);
  exitCode = ExitCode.InternalError;
  process.exitCode = exitCode;
}

/** The CLI: bin/alloc-runner.js calls it (importing this module runs nothing, so `hook install` can check options with the same parser). */
export async function main(): Promise<void> {
  if (process.env.NO_COLOR) chalk.level = 0;
  process.on('uncaughtException', (error) => {
    reportBug(error);
    process.exit(exitCode);
  });
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A reader that stops early (`alloc-runner test --list | head`) is no error of ours.
    if (error.code !== 'EPIPE') {
      process.stderr.write(`${chalk.red('error:')} could not write to stdout: ${error.message}\n`);
      exitCode = ExitCode.Environment;
    }
    process.exit(exitCode);
  });
  try {
    checkWorkingFolder();
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parse failure is a usage error.
      exitCode = error.exitCode === 0 ? ExitCode.Passed : ExitCode.Usage;
    } else if (error instanceof RunnerError) {
      process.stderr.write(`${chalk.red('error:')} ${error.message}\n`);
      exitCode = error.exitCode;
    } else {
      reportBug(error);
    }
  }
  process.exitCode = exitCode;
}

