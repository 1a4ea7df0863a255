// The syntax of one KTAP version 1 / TAP 13-14 line; nesting is ktap-tree.ts's job.
import type { Outcome } from './context.js';

export type KtapLine =
  | { kind: 'version'; depth: number; text: string; supported: boolean }
  | { kind: 'plan'; depth: number; count: number }
  | { kind: 'result'; depth: number; ok: boolean; number: number; name: string; directive?: string }
  | { kind: 'subtest'; depth: number; name: string }
  | { kind: 'diagnostic'; depth: number; text: string }
  | { kind: 'other' };

const VERSION = /^(K?TAP) version (\d+)$/;
const SUPPORTED_VERSIONS = new Set(['KTAP 1', 'TAP 13', 'TAP 14']);
const PLAN = /^1\.\.(\d{1,9})(?:\s+#.*)?$/;
const RESULT = /^(not ok|ok)[ \t]+(\d+)(?:[ \t]+(.*))?$/;
const SUBTEST = /^#[ \t]*Subtest:[ \t]*(.*)$/;
// A directive starts at the first `#` that begins the text or follows whitespace.
const DIRECTIVE_START = /(?:^|\s)#/;
const DIRECTIVE = /^(SKIP|TODO|XFAIL)\S*\s*(.*)$/i;

/** Classifies a line (trailing whitespace already removed). */
export function parseKtapLine(line: string): KtapLine {
  const { depth, content } = splitIndent(line);
  const version = VERSION.exec(content);
  if (version) {
    const supported = SUPPORTED_VERSIONS.has(`${version[1]} ${version[2]}`);
    return { kind: 'version', depth, text: content, supported };
  }
  const plan = PLAN.exec(content);
  if (plan) return { kind: 'plan', depth, count: Number(plan[1]) };
  const result = RESULT.exec(content);
  if (result) {
    const { name, directive } = splitDirective(result[3] ?? '');
    const ok = result[1] === 'ok';
    const parsed: KtapLine = { kind: 'result', depth, ok, number: Number(result[2]), name };
    if (directive !== undefined) parsed.directive = directive;
    return parsed;
  }
  if (!content.startsWith('#')) return { kind: 'other' };
  const subtest = SUBTEST.exec(content);
  if (subtest) return { kind: 'subtest', depth, name: subtest[1] ?? '' };
  return { kind: 'diagnostic', depth, text: content.replace(/^# ?/, '') };
}

/** What a result line says about its test: `# SKIP` skips, `# TODO`/`# XFAIL` expect a failure. */
export function ktapOutcome(ok: boolean, directive: string | undefined): Outcome {
  const known = directive === undefined ? null : DIRECTIVE.exec(directive);
  const why = known?.[2] || undefined;
  const withReason = (status: Outcome['status'], reason: string | undefined): Outcome =>
    reason === undefined ? { status } : { status, reason };
  if (known && known[1]?.toUpperCase() === 'SKIP') return withReason('skip', why);
  if (known) return ok ? { status: 'pass' } : withReason('xfail', why);
  if (ok) return { status: 'pass' };
  return withReason('fail', directive || undefined);
}

/** Nesting depth: one level per tab or per four spaces. */
function splitIndent(line: string): { depth: number; content: string } {
  let tabs = 0;
  let spaces = 0;
  let i = 0;
  for (; i < line.length; i += 1) {
    if (line[i] === '\t') tabs += 1;
    else if (line[i] === ' ') spaces += 1;
    else break;
  }
  return { depth: tabs + Math.floor(spaces / 4), content: line.slice(i) };
}

/** `name # directive` → its parts; TAP's optional `- ` before the name is dropped. */
function splitDirective(text: string): { name: string; directive?: string } {
  const start = DIRECTIVE_START.exec(text);
  const description = start ? text.slice(0, start.index) : text;
  const name = description.trim().replace(/^-(?:\s+|$)/, '');
  if (!start) return { name };
  return { name, directive: text.slice(start.index + start[0].length).trim() };
}
