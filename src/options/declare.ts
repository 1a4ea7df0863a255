import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option, type OptionValues } from '@commander-js/extra-typings';
import { defaultQemu } from '../environment.js';
import { usageError } from '../errors.js';

// Every option of every command, declared once: its flags, description, parser and default.
// Parsing, `--help` and the types the commands read are all derived from these declarations,
// so a renamed option that some code still reads under its old name does not compile.

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
const collectFeatures = (value: string, previous: string[]) => [...previous, ...value.split(/[\s,]+/).filter(Boolean)];
const nonEmpty = (value: string) => {
  if (value.trim() === '') throw new InvalidArgumentError('expected a path or a program name, not an empty string');
  return value;
};

/** Like vitest's slowTestThreshold. */
const DEFAULT_SLOW_TEST_MS = 300;

const qemuOption = () =>
  new Option('--qemu <path>', 'the QEMU binary').argParser(nonEmpty).default(defaultQemu(), '$ALLOC_RUNNER_QEMU, else qemu-system-x86_64');
const firmwareOption = (description: string) => new Option('--firmware <firmware>', description).choices(['bios', 'uefi'] as const);

/** What to build with Cargo, or the prebuilt images to take instead (`test`, `run`, `build`). */
function withBuildOptions<A extends unknown[], O extends OptionValues>(command: Command<A, O>) {
  return command
    .option('-F, --features <features>', 'Cargo features to enable (comma- or space-separated, repeatable)', collectFeatures, [])
    .option('--all-features', 'enable all Cargo features')
    .option('--no-default-features', "do not enable the package's default features")
    .option('-r, --release', 'build with the release profile')
    .option('--manifest-path <path>', 'the Cargo.toml of the kernel crate or workspace (default: the one Cargo finds from here)')
    .option('-p, --package <spec>', 'build only this package (repeatable)', collect, [])
    .option('--kernel <file>', 'run this prebuilt image instead of building (Multiboot ELF, raw disk or ISO; repeatable)', collect, []);
}

/** How each kernel boots in QEMU (`test`, `run`). */
function withBootOptions<A extends unknown[], O extends OptionValues>(command: Command<A, O>) {
  return command
    .option('--timeout <seconds>', 'seconds before a kernel counts as hung (default: its configuration, else 60)', positiveSeconds)
    .addOption(new Option('--accel <accel>', 'QEMU accelerator: kvm where /dev/kvm is usable, else tcg').choices(['auto', 'kvm', 'tcg'] as const).default('auto'))
    .addOption(qemuOption())
    .option('--qemu-arg <arg>', 'an extra argument for QEMU (repeatable)', collect, [])
    .option('--artifacts-dir <dir>', "where each run's serial logs and screens are kept (default: Cargo's target dir, alloc-runner/)")
    .option('--screenshot', "keep every kernel's screen as vga.png, passing ones too (by default a kernel whose serial output shows no failure when its screen is read keeps vga.txt only)")
    .addOption(firmwareOption('the firmware every kernel boots with: bios (SeaBIOS) or uefi (OVMF) (default: its configuration, else bios)'))
    .option('--ovmf-code <file>', "OVMF's code image, with --ovmf-vars (default: where Debian, Fedora or Arch install it)")
    .option('--ovmf-vars <file>', "OVMF's variable store template, copied for each boot (default: the one beside the code image found)")
    .option('--gdb [port]', "pause the kernel before its first instruction with QEMU's gdb stub on 127.0.0.1:PORT (default: a free port) and print the gdb command that attaches; the timeout stops while a debugger is attached (test: one kernel, see --filter-kernel)");
}

/**
 * What every kernel of the run must do, as the configuration keys of the same names say;
 * given here, each replaces the configuration's for every kernel, prebuilt images included.
 */
function withExpectationOptions<A extends unknown[], O extends OptionValues>(command: Command<A, O>) {
  return command
    .option('--pass-when-vga <text>', 'pass as soon as the screen shows this text, without waiting for an exit')
    .option('--pass-when-serial <regex>', 'pass as soon as a serial line matches this regular expression')
    .option('--fail-when-vga <text>', 'fail as soon as the screen shows this text (repeatable)', collect, [])
    .option('--fail-when-serial <regex>', 'fail as soon as a serial line matches (repeatable), e.g. "panicked at"', collect, [])
    .option('--vga-contains <text>', 'text the screen must show at the end (repeatable)', collect, [])
    .option('--vga-excludes <text>', 'text the screen must not show at the end (repeatable)', collect, [])
    .option('--serial-matches <regex>', 'a regular expression some serial line must match (repeatable)', collect, [])
    .option('--exit-status <status>', 'the exit status the kernel must end with when it exits (default: the success status, 33)')
    .option('--vga-poll-ms <ms>', 'milliseconds between two reads of the screen while a VGA condition is pending (default: 50)');
}

/** The reports a run writes (`test`, `merge`). */
function withReportOptions<A extends unknown[], O extends OptionValues>(command: Command<A, O>) {
  return command
    .option(
      '--reporter <name>',
      'report format: default, json, tap, ktap, junit, github, quiet, html (repeatable; default: default, plus github when GITHUB_ACTIONS=true, its annotations on stderr when another reporter writes to stdout)',
      collect,
      [],
    )
    .option('--output-file <name=path>', "write that reporter's output to a file instead of stdout; implies --reporter NAME (repeatable, one file per reporter)", collect, [])
    .option('--slow-test-ms <ms>', 'mark tests that took longer in the default report (0: none)', milliseconds, DEFAULT_SLOW_TEST_MS);
}

/**
 * The commands that take only options refuse a stray word: it is most often a second image
 * after one `--kernel` (`--kernel a.bin b.bin`), and the error says so.
 */
function refusingStrayWords<C extends Command<[], { kernel: string[] }>>(command: C): C {
  command.allowExcessArguments(true).hook('preAction', () => {
    const [word] = command.args;
    if (word === undefined) return;
    const kernels = command.opts().kernel;
    const hint =
      kernels.length > 0
        ? `; each image needs its own --kernel: --kernel ${kernels[kernels.length - 1]} --kernel ${word}`
        : `; it takes only options (see alloc-runner ${command.name()} --help)`;
    throw usageError(`alloc-runner ${command.name()}: unexpected argument ${word}${hint}`);
  });
  return command;
}

export function declareTest(command: Command) {
  const test = withReportOptions(withExpectationOptions(withBootOptions(withBuildOptions(command))))
    .description('build the test kernels (cargo test --no-run) and boot each in QEMU, giving a verdict per test')
    .addOption(new Option('-j, --jobs <n>', 'kernels to run at once').argParser(positiveInteger).default(availableParallelism(), `the CPUs, ${availableParallelism()} here`))
    .option('-v, --verbose', "show serial output live and every test's diagnostics and output")
    .option('--shard <K/N>', 'run only shard K of N (a deterministic split of the kernels, for CI matrices)')
    .option('--filter-kernel <pattern>', 'run only kernels whose name or id (package/name) matches (substring, or glob with * and ?; repeatable)', collect, [])
    .option('--filter-test <pattern>', 'ask each kernel to run only matching tests, the others reported as skipped (kernel command line filter=PATTERN; repeatable)', collect, [])
    .option('--bail', 'stop at the first kernel that fails, stopping the running ones; report what finished')
    .option('--list', 'build, then print the kernels that would run (after filters and --shard), without booting them')
    .addOption(
      new Option('--boot <path>', 'how each Multiboot kernel boots: kernel (QEMU -kernel), iso or disk (through a GRUB image made first)')
        .choices(['kernel', 'iso', 'disk'] as const)
        .default('kernel'),
    )
    .option('--watch', 'run the suite, then rerun the kernels whose images change as their sources change (keys: a rerun all, f rerun failed, q quit); needs a terminal')
    .option('--cache', "skip a kernel that passed before with the same image, configuration and QEMU arguments (kept in the target dir's alloc-runner/cache)");
  return refusingStrayWords(test);
}

export function declareRun(command: Command) {
  const run = withExpectationOptions(withBootOptions(withBuildOptions(command)))
    .description('build the kernel binary (cargo build) or take --kernel FILE, boot it, show its serial live and its screen at the end')
    .option('--bin <name>', "which binary to boot, when the crate has several (default: the package's default-run)");
  return refusingStrayWords(run);
}

export function declareBuild(command: Command) {
  const build = withBuildOptions(command)
    .description('build the kernel binary (cargo build) or take --kernel FILE, and make a bootable GRUB image of it')
    .addOption(new Option('--image <kind>', 'iso (grub-mkrescue) or disk (a raw MBR disk image)').choices(['iso', 'disk'] as const).makeOptionMandatory())
    .option('-o, --output <path>', 'where to write the image (default: beside the kernel, with .iso or .img added)')
    .addOption(firmwareOption("uefi: an ISO that boots on UEFI as well as BIOS (default: the configuration's firmware, else bios)"))
    .option('--bin <name>', "which binary to put in the image, when the crate has several (default: the package's default-run)")
    .option('--cmdline <words>', 'the kernel command line GRUB passes (default: alloc-runner, so that alloc-runner can read the screen when it boots the image)');
  return refusingStrayWords(build);
}

export function declareMerge(command: Command) {
  return withReportOptions(command)
    .description('merge the JSON reports of shards (--reporter json) into one report, in any format')
    .argument('<files...>', 'JSON reports written by alloc-runner test --reporter json')
    .option('-v, --verbose', "show every test's diagnostics and output");
}

export function declareDoctor(command: Command) {
  return command
    .description('check that node, cargo, rustc, QEMU, KVM, the GRUB tools, OVMF and gdb are here, and say how to install what is missing')
    .addOption(qemuOption());
}

export function declareHookInstall(command: Command) {
  return command
    .description(
      'write a pre-commit hook that runs `alloc-runner test --reporter quiet --cache [test options]` on what is being committed (a copy of the index) and blocks failing commits; the test options are checked now',
    )
    .argument('[test-options...]', 'options for alloc-runner test, after --, e.g. -- --features global_alloc')
    .option('--force', 'replace a pre-commit hook alloc-runner did not write, keeping it as pre-commit.alloc-runner-backup');
}

/** The options a command's action receives, as its declaration types them. */
type OptionsOf<Declare extends (command: Command) => { opts(): object }> = ReturnType<ReturnType<Declare>['opts']>;

export type TestOptions = OptionsOf<typeof declareTest>;
export type RunOptions = OptionsOf<typeof declareRun>;
export type BuildOptions = OptionsOf<typeof declareBuild>;
export type MergeOptions = OptionsOf<typeof declareMerge>;
export type DoctorOptions = OptionsOf<typeof declareDoctor>;
export type HookInstallOptions = OptionsOf<typeof declareHookInstall>;

/**
 * `run`'s options when none is given: Cargo's target runner (`alloc-runner runner`) takes no
 * options of its own (those after the executable are the executable's), so it boots with these.
 */
export function runDefaults(): RunOptions {
  return declareRun(new Command('run')).opts();
}
