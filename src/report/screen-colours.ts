// The VGA screen's colours as the JSON report carries them: each row's attribute bytes as runs
// (`1fx12 07x68`), a few bytes a row where the cells would be 2000 numbers. With screenText
// they give back the screen, so a merged report draws it in its colours as the run did.
import { VGA_COLUMNS, VGA_ROWS } from '../capture/vga.js';
import type { VgaScreen } from '../model.js';

/** The default attribute, light grey on black: what a cell without a colour is drawn in. */
const PLAIN = 0x07;

/** Each row's attributes as runs `AAxN`, separated by spaces: AA the byte in two hex digits, N how many cells in a row have it. */
export function screenColours(screen: VgaScreen): string[] {
  return screen.attributes.map((row) => {
    const runs: string[] = [];
    for (let column = 0; column < row.length; ) {
      const attribute = row[column]!;
      let end = column + 1;
      while (end < row.length && row[end] === attribute) end += 1;
      runs.push(`${attribute.toString(16).padStart(2, '0')}x${end - column}`);
      column = end;
    }
    return runs.join(' ');
  });
}

/** Whether a row of runs is as screenColours writes it. */
export function isColourRow(row: string): boolean {
  return /^[0-9a-f]{2}x[1-9]\d{0,2}(?: [0-9a-f]{2}x[1-9]\d{0,2})*$/.test(row);
}

/**
 * The 80x25 screen from its text (rows trimmed, as screenText writes it) and its colours'
 * runs (checked by isColourRow): trimmed blanks come back as spaces, cells the runs do not
 * cover in plain grey, runs past a row's end or rows past the screen's are left out.
 */
export function screenFromColours(text: string, colours: string[]): VgaScreen {
  const lines = text.split('\n');
  const rows: string[] = [];
  const attributes: number[][] = [];
  for (let row = 0; row < VGA_ROWS; row++) {
    rows.push((lines[row] ?? '').padEnd(VGA_COLUMNS).slice(0, VGA_COLUMNS));
    const cells: number[] = [];
    for (const run of colours[row]?.split(' ') ?? []) {
      const [attribute = '', count = ''] = run.split('x');
      const length = Math.min(Number(count), VGA_COLUMNS - cells.length);
      for (let cell = 0; cell < length; cell++) cells.push(Number.parseInt(attribute, 16));
    }
    while (cells.length < VGA_COLUMNS) cells.push(PLAIN);
    attributes.push(cells);
  }
  return { rows, attributes };
}
