import type { ChalkInstance } from 'chalk';
import type { Outcome } from '../verdict/outcome.js';
import { closingLine, renderReport } from './terminal.js';
import { counted } from './text.js';

/**
 * For hooks: one line when everything passed; otherwise only the failing kernels, in the
 * terminal report's words, and the closing line.
 */
export function quietReport({ kernels, totals }: Outcome, color: ChalkInstance): string {
  const failing = kernels.filter((kernel) => kernel.status !== 'pass');
  const cached = kernels.filter((kernel) => kernel.cached).length;
  const facts = [counted(kernels.length, 'kernel'), cached > 0 ? `${cached} cached` : undefined].filter(Boolean);
  const summary = `alloc-runner: ${closingLine(totals)} (${facts.join(', ')})`;
  if (failing.length === 0) return `${summary}\n`;
  return `${renderReport(failing, color, { verbose: false })}\n\n${summary}\n`;
}
