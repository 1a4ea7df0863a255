// The guest's screen through QMP, as QEMU's memory holds it (the VGA text buffer, decoded by
// the capture stage) and as vga.png: read once as the boot ends, and watched while a condition
// on it is pending.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ending } from '../model.js';
import { HANDSHAKE_LINE, VGA_TEXT_BUFFER } from '../protocol.js';
import type { QmpClient } from './qmp.js';

export const TEXT_SCREEN_UNDER_UEFI = 'no VGA text screen under UEFI firmware (it leaves the display in a graphics mode); vga.png shows the display';

/** What the boot tells of the screen. */
export interface ScreenResult {
  /** The VGA text buffer, as QEMU's memory held it. */
  vgaBuffer?: Buffer;
  /** Why there is no screen, when there is none. */
  noScreenReason?: string;
  screenshot?: string;
  /** Artifacts that could not be written whole, each as `file: why`. */
  incompleteArtifacts: string[];
}

/** What the boot asks while the kernel runs: the screen, while it is wanted. */
export interface ScreenWatch {
  /** The VGA text buffer, `seconds` after the kernel started; true ends the run. */
  screen(vgaBuffer: Buffer, seconds: number): boolean;
  /** Whether the screen is to be read now. */
  readonly watchesScreen: boolean;
  /** Milliseconds between two reads of the screen. */
  readonly pollMs: number;
}

/** The screen as the boot ends: read once (the handshake, or the guest's end), whoever asks first. */
export class FinalScreen {
  readonly #result: ScreenResult = { incompleteArtifacts: [] };
  #reading: Promise<void> | undefined;

  /**
   * @param raw where QEMU saves the text buffer (in the boot's private folder)
   * @param png where QEMU writes vga.png
   * @param text whether there is a text screen: UEFI firmware leaves the display in a graphics mode, where 0xb8000 is none
   */
  constructor(
    private readonly raw: string,
    private readonly png: string,
    private readonly text: boolean,
  ) {
    if (!text) this.#result.noScreenReason = TEXT_SCREEN_UNDER_UEFI;
  }

  /**
   * Reads the screen, the first time; later calls wait for that reading. Nothing without QMP.
   * `png`: whether QEMU also writes vga.png (about 20 ms of its CPU); it always does where
   * there is no text screen, the only other record of it.
   */
  read(qmp: QmpClient | undefined, png: boolean): Promise<void> {
    if (!qmp) return Promise.resolve();
    return (this.#reading ??= this.#read(qmp, png || !this.text));
  }

  result(ending: Ending): ScreenResult {
    const result = this.#result;
    return result.vgaBuffer || result.noScreenReason ? result : { ...result, noScreenReason: noScreenReason(ending) };
  }

  async #read(qmp: QmpClient, png: boolean): Promise<void> {
    const result = this.#result;
    try {
      if (this.text) result.vgaBuffer = await readVgaBuffer(qmp, this.raw);
      if (!png) return;
      await qmp.execute('screendump', { filename: this.png, format: 'png' });
      result.screenshot = this.png;
    } catch (error) {
      if (!result.vgaBuffer && this.text) result.noScreenReason = `reading the screen through QMP failed: ${(error as Error).message}`;
      else result.incompleteArtifacts.push(`vga.png: QEMU could not write it (${(error as Error).message})`);
    }
  }
}

/**
 * Reads the screen every `watch.pollMs` while `live()` holds (the guest runs, nothing is
 * decided, a VGA condition is pending); true when the watch decided the run.
 */
export async function watchScreen(
  qmp: QmpClient,
  file: string,
  watch: ScreenWatch,
  aborted: AbortSignal,
  live: () => boolean,
  seconds: () => number,
): Promise<boolean> {
  try {
    while (live()) {
      await sleep(watch.pollMs, undefined, { signal: aborted });
      if (!live()) return false;
      if (watch.screen(await readVgaBuffer(qmp, file), seconds())) return true;
    }
  } catch {
    // Aborted, or QEMU went away while the screen was being read: the boot's end says why.
  }
  return false;
}

async function readVgaBuffer(qmp: QmpClient, file: string): Promise<Buffer> {
  await qmp.execute('pmemsave', { val: VGA_TEXT_BUFFER.address, size: VGA_TEXT_BUFFER.bytes, filename: file });
  const buffer = await readFile(file);
  if (buffer.length !== VGA_TEXT_BUFFER.bytes) throw new Error(`QEMU saved ${buffer.length} bytes of the screen, not ${VGA_TEXT_BUFFER.bytes}`);
  return buffer;
}

function noScreenReason(ending: Ending): string {
  if (ending.kind === 'exited') return `the kernel exited without the screen handshake ("${HANDSHAKE_LINE}" on serial, see the README)`;
  if (ending.kind === 'interrupted') return 'alloc-runner was interrupted before the screen could be read';
  return 'QEMU ended before the screen could be read';
}
