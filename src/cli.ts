import { availableParallelism } from 'node:os';
import chalk from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, RunnerError, type ExitCodeValue } from './errors.js';
import { DEFAULT_QEMU } from './environment.js';
import { VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    every test passed
  1    a test failed, or a kernel crashed, hung or did not meet its expectations
  2    usage or configuration error (bad option, bad [package.metadata.alloc-runner], nothing to test)
  3    the build failed (Cargo's errors are shown above)
  4    the environment is missing something (QEMU, cargo); \`alloc-runner doctor\` tells what
  130  interrupted (Ctrl-C)`;

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
const collect = (value: string, previous: string[]) => [...previous, value];
const collectFeatures = (value: string, previous: string[]) => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];

/** Options shared by the commands that build with Cargo and boot in QEMU. */
function addBuildAndBootOptions(command: Command): Command {
  return command
    .option('-F, --features <features>', 'Cargo features to enable (comma- or space-separated, repeatable)', collectFeatures, [])
    .option('--all-features', 'enable all Cargo features')
    .option('--no-default-features', "do not enable the package's default features")
    .option('-r, --release', 'build with the release profile')
    .option('--manifest-path <path>', 'the Cargo.toml of the kernel crate or workspace (default: the one Cargo finds from here)')
    .option('-p, --package <spec>', 'build only this package (repeatable)', collect, [])
    .option('--kernel <file>', 'run this prebuilt image instead of building (Multiboot ELF, raw disk or ISO; repeatable)', collect, [])
    .option('--timeout <seconds>', 'seconds before a kernel counts as hung (default: its configuration, else 60)', positiveSeconds)
    .addOption(new Option('--accel <accel>', 'QEMU accelerator: kvm where /dev/kvm is usable, else tcg').choices(['auto', 'kvm', 'tcg']).default('auto'))
    .option('--qemu <path>', 'the QEMU binary', process.env.ALLOC_RUNNER_QEMU ?? DEFAULT_QEMU)
    .option('--qemu-arg <arg>', 'an extra argument for QEMU (repeatable)', collect, [])
    .option('--artifacts-dir <dir>', "where each run's serial logs and screens are kept (default: Cargo's target dir, alloc-runner/)");
}

function buildProgram(): Command {
  const program = new Command('alloc-runner')
    .description('Build bare-metal Rust kernels with Cargo, boot them in QEMU, and judge every test by serial output, exit status and VGA screen.')
    .version(VERSION)
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(chalk.red(message)) });

  addBuildAndBootOptions(program.command('test'))
    .description('build the test kernels (cargo test --no-run) and boot each in QEMU, giving a verdict per test')
    .option('-j, --jobs <n>', 'kernels to run at once', positiveInteger, availableParallelism())
    .option('-v, --verbose', 'show serial output live and every test\'s diagnostics')
    .option('--reporter <name>', 'report format: default, json (repeatable; default: default)', collect, [])
    .option('--output-file <name=path>', 'write that reporter\'s output to a file instead of stdout (repeatable)', collect, [])
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { testCommand } = await import('./commands/test.js');
      return finish(await testCommand(options));
    });

  addBuildAndBootOptions(program.command('run'))
    .description('build the kernel binary (cargo build) or take --kernel FILE, boot it, show its serial live and its screen at the end')
    .option('--bin <name>', 'which binary to boot, when the crate has several')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { runCommand } = await import('./commands/run.js');
      return finish(await runCommand(options));
    });

  program
    .command('doctor')
    .description('check that node, cargo, rustc, QEMU, KVM and the GRUB tools are here, and say how to install what is missing')
    .option('--qemu <path>', 'the QEMU binary', process.env.ALLOC_RUNNER_QEMU ?? DEFAULT_QEMU)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (options) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      return finish(await doctorCommand(options));
    });

  return program;
}

let exitCode: ExitCodeValue = ExitCode.Passed;
const finish = (code: ExitCodeValue) => {
  exitCode = code;
};

async function main(): Promise<void> {
  if (process.env.NO_COLOR) chalk.level = 0;
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parse failure is a usage error.
      exitCode = error.exitCode === 0 ? ExitCode.Passed : ExitCode.Usage;
    } else if (error instanceof RunnerError) {
      process.stderr.write(`${chalk.red('error:')} ${error.message}\n`);
      exitCode = error.exitCode;
    } else {
      throw error;
    }
  }
  process.exitCode = exitCode;
}

await main();
