// The documented heap diagnostic, `# heap: key=value ...` (README, "What a kernel speaks"):
// integer figures a kernel prints before a test's result, read into the test's metrics.

const HEAP_LINE = /^heap:((?:[ \t]+[A-Za-z_][\w.-]*=\d{1,15})+)[ \t]*$/;

/**
 * The figures of a diagnostic line (without its `# `) if it is a heap line, else undefined:
 * `heap: used=16 peak=4096` gives { used: 16, peak: 4096 }. Anything else stays a plain diagnostic.
 */
export function parseHeapLine(text: string): Record<string, number> | undefined {
  const match = HEAP_LINE.exec(text.trim());
  if (!match) return undefined;
  // fromEntries defines own keys: a key named `__proto__` is a figure like any other.
  return Object.fromEntries((match[1] ?? '').trim().split(/[ \t]+/).map((pair) => {
    const [key, value] = pair.split('=') as [string, string];
    return [key, Number(value)];
  }));
}

/** A test's metrics from its diagnostics: every heap line's figures, a later line's winning. */
export function metricsOf(diagnostics: readonly string[]): Record<string, number> | undefined {
  let metrics: Record<string, number> | undefined;
  for (const line of diagnostics) {
    const figures = parseHeapLine(line);
    if (figures) metrics = { ...metrics, ...figures };
  }
  return metrics;
}
