import { describe, expect, it } from 'vitest';
import { panicSummary, panicText } from '../../src/parse/panic-text.js';

describe('the panic formatter every reporter uses', () => {
  const panic = { file: 'src/lib.rs', line: 7, column: 3, message: "expected 'a', got 'b'\nsecond line" };

  it('writes one line for reasons and the whole panic for details', () => {
    expect(panicSummary(panic)).toBe("panicked at src/lib.rs:7:3: expected 'a', got 'b'");
    expect(panicText(panic)).toBe("panicked at src/lib.rs:7:3:\nexpected 'a', got 'b'\nsecond line");
  });

  it('writes no empty location when the kernel printed none', () => {
    const cut = { file: '', line: 0, column: 0, message: 'boom' };
    expect(panicSummary(cut)).toBe('panicked: boom');
    expect(panicText(cut)).toBe('panicked:\nboom');
    expect(panicSummary({ ...panic, message: '' })).toBe('panicked at src/lib.rs:7:3');
  });
});
