import { dirname } from 'node:path';
import { ExitCode, type RunnerError } from '../errors.js';
import { CommandError, runChecked } from '../subprocess.js';

export interface CargoSelection {
  manifestPath: string;
  features: string[];
  allFeatures?: boolean;
  noDefaultFeatures: boolean;
  release: boolean;
  packages: string[];
}

/** A kernel image that Cargo built, as its compiler-artifact message names it. */
export interface BuiltKernel {
  /** The Cargo target's name (the test file's stem, or the binary's name). */
  name: string;
  /** Cargo's target kind: `lib` or `bin` (unit tests), `test` (tests/*.rs), `example`, ... */
  kind: string;
  packageId: string;
  executable: string;
}

export interface CargoPackage {
  id: string;
  name: string;
  manifestPath: string;
  metadata: Record<string, unknown> | null;
  /** The names of its dependencies (a `bootloader` one marks a bootimage project). */
  dependencies: string[];
  /** The binary `cargo run` runs when there are several (`default-run`). */
  defaultRun?: string;
  /** The names of its targets that can be kernels: tests, binaries, examples, benches. */
  targets: string[];
}

export interface CargoWorkspace {
  packages: Map<string, CargoPackage>;
  targetDirectory: string;
  /** Where rustc runs, so what panic locations are relative to. */
  workspaceRoot: string;
}

/** Target kinds that are never booted: libraries and build scripts. */
const NOT_KERNELS = new Set(['lib', 'rlib', 'dylib', 'cdylib', 'staticlib', 'proc-macro', 'custom-build']);

const CARGO_MISSING =
  'cargo was not found on PATH. Install Rust with rustup (https://rustup.rs), then open a new shell so that ~/.cargo/bin is on PATH.';

/** Cargo runs in the manifest's folder so that the project's .cargo/config.toml applies, as it would for the user. */
const cargoCwd = (selection: Pick<CargoSelection, 'manifestPath'>) => dirname(selection.manifestPath);

export async function readWorkspace(manifestPath: string): Promise<CargoWorkspace> {
  const { stdout } = await runChecked('cargo', ['metadata', '--format-version', '1', '--no-deps', '--manifest-path', manifestPath], {
    cwd: dirname(manifestPath),
    exitCode: ExitCode.Usage,
    message: (failure) => `cargo metadata could not read ${manifestPath}:\n${failure.stderr.trim()}`,
    missing: CARGO_MISSING,
  });
  const parsed = JSON.parse(stdout) as {
    packages: Array<{
      id: string;
      name: string;
      manifest_path: string;
      metadata: Record<string, unknown> | null;
      dependencies?: Array<{ name: string }>;
      default_run?: string | null;
      targets?: Array<{ name: string; kind: string[] }>;
    }>;
    target_directory: string;
    workspace_root: string;
  };
  const packages = new Map(
    parsed.packages.map((pkg) => [
      pkg.id,
      {
        id: pkg.id,
        name: pkg.name,
        manifestPath: pkg.manifest_path,
        metadata: pkg.metadata,
        dependencies: (pkg.dependencies ?? []).map((dependency) => dependency.name),
        defaultRun: pkg.default_run ?? undefined,
        targets: (pkg.targets ?? []).filter((target) => !target.kind.some((kind) => NOT_KERNELS.has(kind))).map((target) => target.name),
      },
    ]),
  );
  return { packages, targetDirectory: parsed.target_directory, workspaceRoot: parsed.workspace_root };
}

/**
 * Builds the test kernels (`cargo test --no-run`) or the binaries (`cargo build`) and
 * returns the executables Cargo reports. Compiler errors reach the user as Cargo renders them;
 * `explain` may turn them into a more useful error (a toolchain that lacks a part).
 */
export async function buildKernels(
  mode: 'test' | 'build',
  selection: CargoSelection,
  explain?: (stderr: string) => RunnerError | undefined,
): Promise<BuiltKernel[]> {
  const command = mode === 'test' ? ['test', '--no-run'] : ['build'];
  const args = [...command, '--message-format=json-render-diagnostics', ...selectionArgs(selection)];
  try {
    const { stdout } = await runChecked('cargo', args, {
      cwd: cargoCwd(selection),
      stderr: explain ? 'tee' : 'inherit',
      exitCode: ExitCode.BuildFailed,
      message: (failure) => `cargo ${command.join(' ')} failed (${failure.why}); its errors are above.`,
      missing: CARGO_MISSING,
    });
    return parseArtifacts(stdout, mode);
  } catch (error) {
    throw (error instanceof CommandError && error.status !== undefined && explain?.(error.stderr)) || error;
  }
}

export function selectionArgs(selection: CargoSelection): string[] {
  const args = ['--manifest-path', selection.manifestPath];
  for (const pkg of selection.packages) args.push('--package', pkg);
  if (selection.features.length > 0) args.push('--features', selection.features.join(','));
  if (selection.allFeatures) args.push('--all-features');
  if (selection.noDefaultFeatures) args.push('--no-default-features');
  if (selection.release) args.push('--release');
  return args;
}

/** Picks the kernels out of Cargo's JSON messages: test executables, or binaries for `build`. */
export function parseArtifacts(stdout: string, mode: 'test' | 'build'): BuiltKernel[] {
  const kernels: BuiltKernel[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line) as {
      reason?: string;
      package_id?: string;
      executable?: string | null;
      target?: { name: string; kind: string[] };
      profile?: { test: boolean };
    };
    if (message.reason !== 'compiler-artifact' || !message.executable || !message.target || !message.package_id) continue;
    const wanted = mode === 'test' ? message.profile?.test === true : message.target.kind.includes('bin');
    if (wanted) {
      kernels.push({ name: message.target.name, kind: targetKind(message.target.kind), packageId: message.package_id, executable: message.executable });
    }
  }
  return kernels;
}

/** A target's kind as Cargo's selection flags name it: a library's kinds (`rlib`, `staticlib`, ...) are all `lib`. */
function targetKind(kinds: string[]): string {
  return kinds.find((kind) => ['bin', 'test', 'example', 'bench'].includes(kind)) ?? 'lib';
}
