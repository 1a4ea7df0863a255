// The screen's colours in the JSON report, so that merge draws the screen as the run did.
import { describe, expect, it } from 'vitest';
import { decodeVgaBuffer, screenText, VGA_BUFFER_BYTES } from '../../src/capture/vga.js';
import { colouredScreen } from '../../src/report/html.js';
import { jsonReportProblem } from '../../src/report/json-check.js';
import { jsonReport, kernelFromJson } from '../../src/report/json.js';
import { isColourRow, screenColours, screenFromColours } from '../../src/report/screen-colours.js';
import { decideOutcome } from '../../src/verdict/outcome.js';
import { kernelResult, testResult } from '../support/results.js';

/** A screen as the kernel's buffer holds it: `text` on the first row, in `attribute`, on a blue background after it; NUL cells elsewhere. */
function screen(text: string, attribute: number) {
  const buffer = new Uint8Array(VGA_BUFFER_BYTES);
  for (let cell = 0; cell < VGA_BUFFER_BYTES / 2; cell++) buffer[cell * 2 + 1] = cell < 80 ? 0x1f : 0x07;
  [...text].forEach((char, index) => {
    buffer[index * 2] = char.charCodeAt(0);
    buffer[index * 2 + 1] = attribute;
  });
  buffer[80 * 2 * 24 + 79 * 2] = 0xff; // CP437's non-breaking space, a blank that is not a space, in the last cell
  buffer[80 * 2 * 24 + 79 * 2 + 1] = 0x4e;
  return decodeVgaBuffer(buffer);
}

describe("the screen's colours in the JSON report", () => {
  it('are runs of attribute bytes, one string a row', () => {
    const colours = screenColours(screen('PANIC', 0x4f));
    expect(colours).toHaveLength(25);
    expect(colours[0]).toBe('4fx5 1fx75');
    expect(colours[1]).toBe('07x80');
    expect(colours[24]).toBe('07x79 4ex1');
    expect(colours.every(isColourRow)).toBe(true);
  });

  it('give back the screen from its text, drawn in the same colours', () => {
    const original = screen('PANIC at x.rs:1:2', 0x4f);
    const again = screenFromColours(screenText(original), screenColours(original));
    expect(again.attributes).toEqual(original.attributes);
    expect(again.rows.map((row) => row.length)).toEqual(original.rows.map(() => 80));
    expect(colouredScreen(again).replace(/\u00a0/g, ' ')).toBe(colouredScreen(original).replace(/\u00a0/g, ' '));
  });

  it('are carried by the JSON report and read back by merge, which draws the screen again', () => {
    const original = screen('Hanging forever', 0x0e);
    const kernel = kernelResult('k', { status: 'hang', screen: original, screenText: screenText(original), tests: [testResult(1, 'a', 'notrun', { serialLines: { first: 1, last: 2 } })] });
    const [json] = JSON.parse(JSON.stringify(jsonReport(decideOutcome([kernel], {}), '1').kernels));
    expect(json).not.toHaveProperty('screen');
    expect(json.screenColours[0]).toBe('0ex15 1fx65');
    expect(jsonReportProblem({ kernels: [json] })).toBeUndefined();
    const merged = kernelFromJson(json);
    expect(merged).not.toHaveProperty('screenColours');
    expect(merged.screen?.attributes).toEqual(original.attributes);
    expect(merged.tests[0]?.serialLines).toEqual({ first: 1, last: 2 });
    // A report without colours (an older one) or without text keeps its screen as text alone.
    const { screenColours: _colours, ...plain } = json;
    expect(kernelFromJson(plain)).not.toHaveProperty('screen');
    const { screenText: _text, ...textless } = json;
    expect(kernelFromJson(textless)).not.toHaveProperty('screen');
  });

  it('draw a screen whole from runs edited by hand: short rows plain grey, long ones cut, extra rows left out', () => {
    const drawn = screenFromColours('AB\nCD', ['4fx1', '1fx200', ...Array(30).fill('07x80')]);
    expect(drawn.rows).toHaveLength(25);
    expect(drawn.attributes).toHaveLength(25);
    expect(drawn.rows[0]).toBe('AB'.padEnd(80));
    expect(drawn.attributes[0]).toEqual([0x4f, ...Array(79).fill(0x07)]);
    expect(drawn.attributes[1]).toEqual(Array(80).fill(0x1f));
    expect(screenFromColours('', ['1fx50 4fx50']).attributes[0]).toEqual([...Array(50).fill(0x1f), ...Array(30).fill(0x4f)]);
    expect(screenFromColours('', []).attributes[24]).toEqual(Array(80).fill(0x07));
    expect(screenFromColours(`${'x'.repeat(90)}`, []).rows[0]).toBe('x'.repeat(80));
  });

  it('are checked by merge: rows that are not runs are a usage error naming the field', () => {
    const kernel = (screenColours: unknown) => ({ kernels: [{ ...kernelResult('k'), screenColours }] });
    for (const bad of ['', '07x0', '7x80', '07x1000', '07X80', 'GGx1', '07x80 ', '07x80  07x1', 'zz']) {
      expect(isColourRow(bad), bad).toBe(false);
      expect(jsonReportProblem(kernel([bad])), bad).toMatch(/^kernels\[0\]\.screenColours\[0\]: expected runs of colours like "07x80", got /);
    }
    expect(jsonReportProblem(kernel('07x80'))).toMatch(/^kernels\[0\]\.screenColours: expected a list/);
    expect(jsonReportProblem(kernel([['07x80']]))).toMatch(/^kernels\[0\]\.screenColours\[0\]: expected runs/); // not a string, though it prints as one
    for (const good of ['07x80', 'ffx1 00x999', '0ax9 0bx10']) expect(isColourRow(good), good).toBe(true);
  });

  it('and the lines of each test are checked the same way', () => {
    const kernel = (serialLines: unknown) => ({ kernels: [{ ...kernelResult('k'), tests: [testResult(1, 'a', 'pass', { serialLines: serialLines as never })] }] });
    expect(jsonReportProblem(kernel({ first: 1, last: 2 }))).toBeUndefined();
    expect(jsonReportProblem(kernel({ first: 1 }))).toBe('kernels[0].tests[0].serialLines.last: missing');
    expect(jsonReportProblem(kernel({ first: '1', last: 2 }))).toBe('kernels[0].tests[0].serialLines.first: expected a whole number, got "1"');
  });
});
