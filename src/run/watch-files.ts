import { existsSync, readdirSync, readFileSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { KernelPlan } from './kernel.js';

/**
 * The files that feed the kernels, as Cargo's dep-info says: every source file named in the
 * `.d` files beside the test executables (rustc's, one per crate, relative to the workspace
 * root), and what feeds them all: the manifests, Cargo.lock, .cargo/config.toml, the files
 * build scripts rerun on (the linker script), and linker scripts and target specs that
 * .cargo/config.toml names. Files of the registry and the toolchain are left out.
 */
export function filesFeeding(plans: KernelPlan[]): Set<string> {
  const files = new Set<string>();
  const roots = new Set<string>();
  const depsFolders = new Set<string>();
  for (const plan of plans) {
    if (plan.sourceRoot) roots.add(plan.sourceRoot);
    if (plan.symbols) depsFolders.add(dirname(plan.symbols));
  }
  for (const root of roots) {
    for (const folder of depsFolders) {
      for (const name of safeList(folder)) {
        if (name.endsWith('.d')) for (const file of readDepInfo(join(folder, name))) files.add(resolve(root, file));
      }
    }
    const sources = [...files].filter((file) => isInside(root, file));
    const packages = packageFolders(root, sources);
    for (const folder of packages) for (const name of ['Cargo.toml', 'build.rs']) files.add(join(folder, name));
    files.add(join(root, 'Cargo.lock'));
    for (const config of cargoConfigs(root)) {
      files.add(config);
      for (const named of filesNamedIn(config)) files.add(named);
    }
    for (const folder of depsFolders) for (const file of buildScriptInputs(join(dirname(folder), 'build'), packages)) files.add(file);
  }
  return new Set([...files].filter((file) => !/\/\.cargo\/(registry|git)\/|\/\.rustup\//.test(file) && existsSync(file)));
}

/** The dependencies a Make-style dep-info file lists (`target: dep dep`, spaces escaped as `\ `). */
export function readDepInfo(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseDepInfo(text);
}

export function parseDepInfo(text: string): string[] {
  const deps = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const colon = line.search(/: |:$/);
    if (colon < 0) continue;
    for (const dep of line.slice(colon + 1).trim().split(/(?<!\\) +/)) if (dep) deps.add(dep.replaceAll('\\ ', ' '));
  }
  return [...deps];
}

/** The folders between each source file and the workspace root that hold a Cargo.toml: the packages. */
function packageFolders(root: string, sources: string[]): Set<string> {
  const folders = new Set<string>([root]);
  for (const source of sources) {
    for (let folder = dirname(source); isInside(root, folder) && !folders.has(folder); folder = dirname(folder)) {
      if (existsSync(join(folder, 'Cargo.toml'))) folders.add(folder);
    }
  }
  return folders;
}

/** .cargo/config.toml (or .cargo/config) in the workspace root and every folder above it, as Cargo reads them. */
function cargoConfigs(root: string): string[] {
  const configs: string[] = [];
  for (let folder = root; ; folder = dirname(folder)) {
    for (const name of ['config.toml', 'config']) if (existsSync(join(folder, '.cargo', name))) configs.push(join(folder, '.cargo', name));
    if (dirname(folder) === folder) return configs;
  }
}

/** Linker scripts (`-T FILE`, `*.ld`) and target specs (`*.json`) a Cargo config names, relative to the folder holding its .cargo. */
function filesNamedIn(config: string): string[] {
  const text = readFileSync(config, 'utf8');
  const base = dirname(dirname(config));
  const named = [...text.matchAll(/["'=]([^"'=\s]+\.(?:ld|lds|x|json))["']/g), ...text.matchAll(/-T ?([^\s"',]+)/g)].map((match) => match[1]!);
  return named.map((name) => resolve(base, name));
}

/** The files build scripts said to rerun on (`cargo:rerun-if-changed=PATH`), relative ones from a package folder. */
function buildScriptInputs(buildFolder: string, packages: Set<string>): string[] {
  const inputs: string[] = [];
  for (const unit of safeList(buildFolder)) {
    let output: string;
    try {
      output = readFileSync(join(buildFolder, unit, 'output'), 'utf8');
    } catch {
      continue;
    }
    for (const match of output.matchAll(/^cargo::?rerun-if-changed=(.+)$/gm)) {
      const path = match[1]!.trim();
      if (isAbsolute(path)) inputs.push(path);
      else for (const folder of packages) inputs.push(join(folder, path));
    }
  }
  return inputs;
}

/** What can feed a kernel in a source tree: Rust sources, manifests and configs, linker scripts, target specs. Hidden files (an editor's) are not. */
const FEEDING_NAME = /^[^.].*\.(rs|toml|ld|lds|x|json)$/;

/**
 * The folders of a workspace's source tree, for a watch before Cargo has said which files
 * feed the kernels: `root` and every folder below it but build output (a folder named
 * `target`, or one Cargo marked with CACHEDIR.TAG), node_modules and hidden folders other
 * than .cargo. Node 20's recursive fs.watch would also watch every file of target/.
 */
export function sourceFolders(root: string): string[] {
  const folders = [root];
  for (let index = 0; index < folders.length; index++) {
    const folder = folders[index]!;
    for (const entry of safeEntries(folder)) {
      const { name } = entry;
      if (!entry.isDirectory() || name === 'target' || name === 'node_modules' || (name.startsWith('.') && name !== '.cargo')) continue;
      if (!existsSync(join(folder, name, 'CACHEDIR.TAG'))) folders.push(join(folder, name));
    }
  }
  return folders;
}

function safeEntries(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

function safeList(folder: string): string[] {
  return safeEntries(folder).map((entry) => entry.name);
}

const isInside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Watches files by their folders (an editor that saves by renaming a new file over the old
 * one replaces the file a watch on the file itself would follow). `changed` is called with
 * the files that changed, once they have been quiet for `settleMs`.
 */
export class FileWatch {
  private watchers: FSWatcher[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly changed: (files: string[]) => void,
    private readonly settleMs = 150,
  ) {}

  /**
   * Watches exactly these files from now on; with `tree`, also every file of that source tree
   * that can feed a kernel (`FEEDING_NAME` in `sourceFolders`), new files included.
   */
  watch(files: Set<string>, tree?: string): void {
    this.close();
    const namesByFolder = new Map<string, Set<string>>();
    for (const file of files) {
      const names = namesByFolder.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      namesByFolder.set(dirname(file), names);
    }
    const byFolder = new Map([...namesByFolder].map(([folder, names]) => [folder, (name: string) => names.has(name)]));
    for (const folder of tree === undefined ? [] : sourceFolders(tree)) {
      const names = namesByFolder.get(folder);
      byFolder.set(folder, (name) => FEEDING_NAME.test(name) || names?.has(name) === true);
    }
    for (const [folder, wanted] of byFolder) {
      try {
        const watcher = watch(folder, (_event, name) => {
          if (name && wanted(String(name))) this.note(join(folder, String(name)));
        });
        watcher.on('error', () => {}); // a folder removed: its files are gone from the next build's list
        this.watchers.push(watcher);
      } catch {
        // a folder that vanished between the build and now
      }
    }
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  private note(file: string): void {
    this.pending.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const files = [...this.pending];
      this.pending.clear();
      this.changed(files);
    }, this.settleMs);
  }
}
