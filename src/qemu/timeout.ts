/** setTimeout's limit (about 24.8 days): a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A kernel's timeout that can be paused (while a debugger is attached) and resumed with the
 * time it had left. `fire` is called once, unless it is cleared first.
 */
export class KernelTimeout {
  private timer: NodeJS.Timeout | undefined;
  private leftMs: number;
  private startedAt = 0;
  private cleared = false;

  constructor(
    ms: number,
    private readonly fire: () => void,
  ) {
    this.leftMs = ms;
  }

  start(): void {
    if (this.cleared || this.timer) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(() => {
      this.cleared = true;
      this.fire();
    }, Math.min(this.leftMs, MAX_TIMER_MS));
  }

  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.leftMs = Math.max(0, this.leftMs - (Date.now() - this.startedAt));
  }

  clear(): void {
    this.cleared = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
