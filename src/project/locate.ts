import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../errors.js';

/**
 * The Cargo.toml to test: `--manifest-path`, else the nearest Cargo.toml at or above `cwd`
 * (as Cargo finds it), else the default a package.json names under `"alloc-runner"`
 * (this repository names its bundled kernel there). Never anything else.
 */
export function locateManifest(explicit: string | undefined, cwd: string): string {
  if (explicit !== undefined) return checkManifest(resolve(cwd, explicit), '--manifest-path');
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, 'Cargo.toml');
    if (existsSync(manifest)) return manifest;
    const configured = configuredManifest(dir);
    if (configured) return configured;
    if (dirname(dir) === dir) break;
  }
  throw usageError(
    `no Cargo project here: neither ${cwd} nor a folder above it has a Cargo.toml. ` +
      'Run alloc-runner in your kernel crate, pass --manifest-path PATH/Cargo.toml, or pass --kernel FILE to run a built image.',
  );
}

/**
 * The folder of the workspace a manifest belongs to, as its files say without Cargo (whose
 * answer a broken manifest prevents): the nearest folder at or above it whose Cargo.toml has
 * a `[workspace]` table, else the manifest's own folder.
 */
export function workspaceFolder(manifestPath: string): string {
  for (let dir = dirname(manifestPath); ; dir = dirname(dir)) {
    if (/^\s*\[workspace[.\]]/m.test(readIfThere(join(dir, 'Cargo.toml')))) return dir;
    if (dirname(dir) === dir) return dirname(manifestPath);
  }
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function configuredManifest(dir: string): string | undefined {
  const packageJson = join(dir, 'package.json');
  if (!existsSync(packageJson)) return undefined;
  let settings: unknown;
  try {
    settings = (JSON.parse(readFileSync(packageJson, 'utf8')) as Record<string, unknown> | null)?.['alloc-runner'];
  } catch (error) {
    // Ignoring it could test another project than the one it names.
    throw usageError(`${packageJson} is not valid JSON (${(error as Error).message}); fix it, or pass --manifest-path PATH/Cargo.toml`);
  }
  if (settings === undefined) return undefined;
  const path = (settings as Record<string, unknown> | null)?.['manifest-path'];
  if (typeof path !== 'string') {
    throw usageError(`${packageJson}: "alloc-runner"."manifest-path" must be the path of a Cargo.toml`);
  }
  return checkManifest(resolve(dir, path), `${packageJson} "alloc-runner"."manifest-path"`);
}

function checkManifest(path: string, origin: string): string {
  if (!existsSync(path)) throw usageError(`${origin}: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const inside = join(path, 'Cargo.toml');
    if (existsSync(inside)) return inside;
    throw usageError(`${origin}: ${path} is a folder without a Cargo.toml; give the path of a Cargo.toml`);
  }
  if (!path.endsWith('.toml')) throw usageError(`${origin}: ${path} is not a Cargo manifest (a Cargo.toml)`);
  return path;
}
