// The syntax of one KTAP version 1 / TAP 13-14 line, once its prefix and indentation are
// gone (https://docs.kernel.org/dev-tools/ktap.html); nesting is ktap-tree.ts's job.
import type { Outcome } from './context.js';

/** Whose rules a document follows: its directives differ (`# TODO` is KTAP's non-directive). */
export type Dialect = 'KTAP' | 'TAP';

export type ResultLine = { kind: 'result'; ok: boolean; number: number | undefined; name: string; directive?: string; malformed?: true };

export type KtapLine =
  | { kind: 'version'; dialect: Dialect; text: string; supported: boolean }
  | { kind: 'plan'; count: number }
  | ResultLine
  | { kind: 'subtest'; name: string }
  | { kind: 'bailout'; reason: string }
  | { kind: 'diagnostic'; text: string }
  | { kind: 'blank' }
  | { kind: 'other'; text: string };

const VERSION = /^(K?TAP) version (\d+)$/;
const SUPPORTED_VERSIONS = new Set(['KTAP 1', 'TAP 13', 'TAP 14']);
const PLAN = /^1\.\.(\d{1,9})(?:\s+#.*)?$/s;
// `s`: a description may hold any character, a bare `\r` included.
const RESULT = /^(not ok|ok)[ \t]+(\d+)(?:[ \t]+(.*))?$/s;
// Whatever follows `not ok` (no number, escapes, `\r`), the line is a failure.
const NOT_OK = /^not ok(.*)$/s;
const SUBTEST = /^#[ \t]*Subtest:[ \t]*(.*)$/s;
// TAP's emergency exit (kselftest's ksft_exit_fail_msg prints it): the run stopped.
const BAIL_OUT = /^Bail out!(.*)$/is;
// A directive starts at the first `#` that begins the text or follows whitespace.
const DIRECTIVE_START = /(?:^|\s)#/;
const DIRECTIVE = /^(SKIP|TODO|XFAIL)\S*\s*(.*)$/is;

/** Classifies a line's content (no prefix, no indentation, no trailing whitespace). */
export function parseKtapLine(content: string): KtapLine {
  const version = VERSION.exec(content);
  if (version) {
    const dialect = version[1] as Dialect;
    return { kind: 'version', dialect, text: content, supported: SUPPORTED_VERSIONS.has(`${dialect} ${version[2]}`) };
  }
  const plan = PLAN.exec(content);
  if (plan) return { kind: 'plan', count: Number(plan[1]) };
  const result = RESULT.exec(content);
  if (result) return resultLine(result[1] === 'ok', Number(result[2]), result[3] ?? '');
  const notOk = NOT_OK.exec(content);
  if (notOk) return { ...resultLine(false, undefined, notOk[1] ?? ''), malformed: true };
  const bailOut = BAIL_OUT.exec(content);
  if (bailOut) return { kind: 'bailout', reason: (bailOut[1] ?? '').trim() };
  if (content === '') return { kind: 'blank' };
  if (!content.startsWith('#')) return { kind: 'other', text: content };
  const subtest = SUBTEST.exec(content);
  if (subtest) return { kind: 'subtest', name: subtest[1] ?? '' };
  return { kind: 'diagnostic', text: content.replace(/^# ?/, '') };
}

function resultLine(ok: boolean, number: number | undefined, rest: string): ResultLine {
  const { name, directive } = splitDirective(rest);
  const line: ResultLine = { kind: 'result', ok, number, name };
  if (directive !== undefined) line.directive = directive;
  return line;
}

/**
 * What a result line says about its test. `# SKIP` (any case) skips in both dialects; an
 * expected failure is `# XFAIL` in KTAP and `# TODO` in TAP. Any other directive falls back
 * to ok / not ok, as the KTAP spec says, and a failure keeps it as its reason.
 */
export function ktapOutcome(ok: boolean, directive: string | undefined, dialect: Dialect): Outcome {
  const known = directive === undefined ? null : DIRECTIVE.exec(directive);
  const keyword = known?.[1]?.toUpperCase();
  const why = known?.[2] || undefined;
  const withReason = (status: Outcome['status'], reason: string | undefined): Outcome =>
    reason === undefined ? { status } : { status, reason };
  if (keyword === 'SKIP') return withReason('skip', why);
  const expectedFailure = dialect === 'KTAP' ? 'XFAIL' : 'TODO';
  if (keyword === expectedFailure) return ok ? { status: 'pass' } : withReason('xfail', why);
  if (ok) return { status: 'pass' };
  return withReason('fail', directive || undefined);
}

/** `name # directive` → its parts; TAP's optional `- ` before the name is dropped. */
function splitDirective(text: string): { name: string; directive?: string } {
  const start = DIRECTIVE_START.exec(text);
  const description = start ? text.slice(0, start.index) : text;
  const name = description.trim().replace(/^-(?:\s+|$)/, '');
  if (!start) return { name };
  return { name, directive: text.slice(start.index + start[0].length).trim() };
}
