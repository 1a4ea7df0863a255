// Making a test executable's disk image costs `bootimage runner` a bootloader build (1-2 s);
// an image whose inputs did not change is taken from the cache instead.
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { findExecutable } from '../environment.js';
import { bootimagePath } from '../project/bootimage.js';
import { makeTestImage } from './bootimage.js';

/**
 * The disk images of one workspace's test executables, made by `bootimage runner` and kept
 * in `<target>/alloc-runner/images` as `<executable>.<key>.bin`, one per executable, the key
 * a hash of what made it: the executable's bytes, the package's Cargo.toml (bootloader
 * features, `[package.metadata.bootloader]`), the workspace's Cargo.lock (the bootloader's
 * version) and the bootimage tool itself. Workers (`worker` > 0) build the bootloader in
 * folders of their own: in the one folder bootimage uses, two builds at once could swap kernels.
 */
export class TestImages {
  readonly #dir: string;

  constructor(
    private readonly targetDirectory: string,
    private readonly workspaceRoot: string,
  ) {
    this.#dir = join(targetDirectory, 'alloc-runner', 'images');
  }

  /** The image beside the executable, where bootimage puts it: copied from the cache, or made. */
  async make(executable: string, packageDir: string, worker: number): Promise<string> {
    const entry = `${basename(executable)}.${await this.#key(executable, packageDir)}.bin`;
    const image = bootimagePath(executable);
    // A copy: QEMU may write to the disk it boots.
    if (await copyFile(join(this.#dir, entry), image).then(() => true, () => false)) return image;
    const env: Record<string, string> = worker === 0 ? {} : { CARGO_TARGET_DIR: join(this.targetDirectory, 'alloc-runner', `bootloader-${worker}`) };
    await makeTestImage(executable, packageDir, env);
    await this.#remember(image, entry, `${basename(executable)}.`);
    return image;
  }

  async #key(executable: string, packageDir: string): Promise<string> {
    // Imported here: a run without bootimage images does not pay node:crypto's ~3 ms load.
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256');
    hash.update(await readFile(executable));
    for (const file of [join(packageDir, 'Cargo.toml'), join(this.workspaceRoot, 'Cargo.lock')]) {
      hash.update(`\0${file}\0`).update(await readFile(file).catch(() => Buffer.alloc(0)));
    }
    const tool = findExecutable('bootimage');
    const toolFile = tool ? await stat(tool) : undefined;
    hash.update(`\0${tool}\0${toolFile?.size}\0${toolFile?.mtimeMs}`);
    return hash.digest('hex').slice(0, 32);
  }

  /** Keeps the new image (written aside, then renamed: never half a file) and drops the executable's older ones. */
  async #remember(image: string, entry: string, executablePrefix: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const partial = join(this.#dir, `.${entry}.${process.pid}`);
    await copyFile(image, partial);
    await rename(partial, join(this.#dir, entry));
    const older = (await readdir(this.#dir)).filter((file) => file.startsWith(executablePrefix) && file !== entry);
    await Promise.all(older.map((file) => rm(join(this.#dir, file), { force: true })));
  }
}
