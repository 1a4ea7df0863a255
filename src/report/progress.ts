/**
 * A one-line status on a terminal's stderr ("running 2/7: heap_basics"), redrawn in place.
 * Without a terminal it draws nothing, so logs stay line-oriented.
 */
export function progress(total: number, stream: NodeJS.WriteStream = process.stderr) {
  const live = stream.isTTY === true && !process.env.CI;
  const running = new Set<string>();
  let finished = 0;
  const clear = () => live && stream.write('\r\x1b[K');
  const draw = () => {
    if (!live) return;
    clear();
    const names = [...running].join(', ');
    stream.write(`running ${finished}/${total} done${names ? `: ${names}` : ''}`.slice(0, (stream.columns ?? 80) - 1));
  };
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
    },
  };
}
