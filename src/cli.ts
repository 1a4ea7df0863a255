import chalk from 'chalk';
import { Command, CommanderError, Help, type Option } from '@commander-js/extra-typings';
import { ExitCode, RunnerError } from './errors.js';
import { checkWorkingFolder } from './check/places.js';
import { declareBuild, declareDoctor, declareHookInstall, declareMerge, declareRun, declareTest } from './options/declare.js';
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

/** As commander describes an option, but a repeatable one's empty start, `(default: [])`, is left out: it tells nothing. */
function describeOption(this: Help, option: Option): string {
  const empty = Array.isArray(option.defaultValue) && option.defaultValue.length === 0;
  const described = empty ? Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option, { defaultValue: undefined }) : option;
  return Help.prototype.optionDescription.call(this, described);
}

export function buildProgram(): Command {
  const program = new Command('alloc-runner')
    .description('Build bare-metal Rust kernels with Cargo, boot them in QEMU, and judge every test by serial output, exit status and VGA screen.')
    .version(VERSION)
    // Shown after the help of the program and of every command.
    .addHelpText('afterAll', EXIT_CODES_HELP)
    .exitOverride()
    // `runner` hands the options after its executable to that executable.
    .enablePositionalOptions()
    .configureOutput({ outputError: (message, write) => write(chalk.red(message)) })
    .configureHelp({ optionDescription: describeOption });

  // Each command's module is imported only when it runs, so that --help loads none of them.
  declareTest(program.command('test')).action(async (options) => {
    const { testCommand } = await import('./commands/test.js');
    return finish(await testCommand(options));
  });

  declareRun(program.command('run')).action(async (options) => {
    const { runCommand } = await import('./commands/run.js');
    return finish(await runCommand(options));
  });

  declareMerge(program.command('merge')).action(async (files, options) => {
    const { mergeCommand } = await import('./commands/merge.js');
    return finish(await mergeCommand(files, options));
  });

  const hook = program.command('hook').description('install or remove the Git pre-commit hook that runs alloc-runner test');
  declareHookInstall(hook.command('install')).action(async (testOptions, options) => {
    const { hookInstall } = await import('./commands/hook.js');
    return finish(await hookInstall(testOptions, options));
  });
  hook
    .command('run')
    .description('what the installed hook runs: `alloc-runner test` on a copy of what is being committed (the index), never on the working tree')
    .argument('[test-options...]', 'options for alloc-runner test, after --')
    .action(async (testOptions) => {
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

  declareBuild(program.command('build')).action(async (options) => {
    const { buildCommand } = await import('./commands/build.js');
    return finish(await buildCommand(options));
  });

  program
    .command('runner')
    .description("Cargo's target runner: boots a kernel executable with alloc-runner's verdict; runs any other executable (host tests) as it is")
    .argument('<executable>', 'the executable Cargo built')
    .argument('[args...]', 'its arguments (passed on to a host executable)')
    .passThroughOptions()
    .addHelpText('after', '\nIn .cargo/config.toml: [target.<triple>] runner = "alloc-runner runner"')
    .action(async (executable, args) => {
      const { runnerCommand } = await import('./commands/runner.js');
      return finish(await runnerCommand(executable, args));
    });

  declareDoctor(program.command('doctor')).action(async (options) => {
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

