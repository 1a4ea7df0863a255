/**
 * A list of lines that keeps the first `limit` and only counts the rest: a kernel's output
 * can be endless, the parser's memory cannot.
 */
export class BoundedList {
  readonly #items: string[] = [];
  readonly #limit: number;
  readonly #noun: string;
  #dropped = 0;

  /** `noun` names the items in the overflow marker, e.g. `… 3 more lines`. */
  constructor(limit: number, noun: string) {
    this.#limit = limit;
    this.#noun = noun;
  }

  push(item: string): void {
    if (this.#items.length < this.#limit) this.#items.push(item);
    else this.#dropped += 1;
  }

  /** Appends all of `other`, counting its dropped items as dropped here. */
  append(other: BoundedList): void {
    for (const item of other.#items) this.push(item);
    this.#dropped += other.#dropped;
  }

  /** The kept items, then `… N more <noun>` if some were dropped. */
  toArray(): string[] {
    if (this.#dropped === 0) return [...this.#items];
    return [...this.#items, `… ${this.#dropped} more ${this.#noun}`];
  }
}
