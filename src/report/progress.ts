/**
 * A one-line status on a terminal's stderr ("1/7 done; running: heap_basics, no_alloc"),
 * redrawn in place. It is drawn only where it can be erased again: stderr is a terminal,
 * TERM is not `dumb`, and neither NO_COLOR nor CI is set. Otherwise it draws nothing, so
 * logs stay line-oriented.
 */
export function progress(total: number, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env) {
  const live = stream.isTTY === true && !env.CI && !env.NO_COLOR && env.TERM !== 'dumb';
  const running = new Set<string>();
  let finished = 0;
  /** The status line on screen now, to erase it whole. */
  let shown = '';
  // A terminal that reports 0 columns (some CI pseudo-terminals) gets the usual 80.
  const columns = () => (stream.columns > 0 ? stream.columns : 80);
  const clear = () => {
    if (!live || shown === '') return;
    // After a resize to fewer columns the line may wrap: go up to its first row, then erase to the end.
    const rows = Math.ceil(shown.length / columns());
    stream.write(`\r${rows > 1 ? `\x1b[${rows - 1}A` : ''}\x1b[J`);
    shown = '';
  };
  const draw = () => {
    if (!live) return;
    clear();
    const names = [...running].join(', ');
    shown = `${finished}/${total} done${names ? `; running: ${names}` : ''}`.slice(0, columns() - 1);
    stream.write(shown);
  };
  const redrawOnResize = () => draw();
  if (live) stream.on('resize', redrawOnResize);
  return {
    started(name: string) {
      running.add(name);
      draw();
    },
    finished(name: string) {
      running.delete(name);
      finished++;
      draw();
    },
    /** Prints a whole line above the status line. */
    log(line: string) {
      clear();
      stream.write(`${line}\n`);
      draw();
    },
    done() {
      clear();
      stream.off('resize', redrawOnResize);
    },
  };
}
