// Kernel output is arbitrary bytes: what reporters put into structured formats is made printable here.

// C0 controls but tab and line feed, DEL, C1 controls, the non-characters U+FFFE/U+FFFF and
// lone surrogates: none may appear in XML 1.0, and none belongs in a report line.
const UNPRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The text with each unprintable character shown as `\r`, `\xNN` (`\x1b`) or `\u{NNNN}`, so it stays visible and harmless. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    if (char === '\r') return '\\r';
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `1 test`, `2 tests`: a count with its noun. */
export const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** Text made safe for HTML element content and attribute values, unprintable characters shown as `printable` shows them. */
export function escapeHtml(text: string): string {
  return printable(text).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
