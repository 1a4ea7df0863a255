// The VGA text screen: 80x25 cells of (code page 437 character, colour attribute) at 0xb8000.
import type { VgaScreen } from '../model.js';
import { VGA_TEXT_BUFFER } from '../protocol.js';

export const VGA_COLUMNS = 80;
export const VGA_ROWS = 25;
export const VGA_BUFFER_BYTES = VGA_TEXT_BUFFER.bytes;

// Code page 437 as the VGA font draws it; cell value 0 is shown as a space.
const CP437 =
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export function decodeVgaBuffer(buffer: Uint8Array): VgaScreen {
  if (buffer.length < VGA_BUFFER_BYTES) {
    throw new Error(`a VGA text buffer is ${VGA_BUFFER_BYTES} bytes; got ${buffer.length}`);
  }
  const rows: string[] = [];
  const attributes: number[][] = [];
  for (let row = 0; row < VGA_ROWS; row++) {
    let text = '';
    const rowAttributes: number[] = [];
    for (let column = 0; column < VGA_COLUMNS; column++) {
      const cell = (row * VGA_COLUMNS + column) * 2;
      text += CP437[buffer[cell]!];
      rowAttributes.push(buffer[cell + 1]!);
    }
    rows.push(text);
    attributes.push(rowAttributes);
  }
  return { rows, attributes };
}

/** The screen as plain text: trailing blanks of each row and trailing empty rows removed. */
export function screenText(screen: VgaScreen): string {
  const lines = screen.rows.map((row) => row.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

// VGA colour numbers in the order of ANSI's 30-37 (black, red, green, yellow, blue, magenta, cyan, white).
const VGA_TO_ANSI = [0, 4, 2, 6, 1, 5, 3, 7];

function ansiColour(vgaColour: number, background: boolean): number {
  const bright = vgaColour >= 8;
  const base = VGA_TO_ANSI[vgaColour & 7]!;
  if (background) return (bright ? 100 : 40) + base;
  return (bright ? 90 : 30) + base;
}

/** The screen with ANSI colour escapes, trimmed like `screenText`. */
export function screenAnsi(screen: VgaScreen): string {
  const text = screenText(screen).split('\n');
  return text
    .map((line, row) => {
      let out = '';
      let current = -1;
      for (let column = 0; column < line.length; column++) {
        const attribute = screen.attributes[row]![column]!;
        if (attribute !== current) {
          out += `\x1b[${ansiColour(attribute & 0x0f, false)};${ansiColour((attribute >> 4) & 0x07, true)}m`;
          current = attribute;
        }
        out += line[column];
      }
      return current === -1 ? out : `${out}\x1b[0m`;
    })
    .join('\n');
}
